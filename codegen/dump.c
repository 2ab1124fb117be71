/* The -d dumps of a compilation that are not the AST or the IR: `types`
 * (the type of every map and variable) and `dis` (the BPF instructions of
 * every program, disassembled from the object). */
#include <gelf.h>
#include <llvm-c/Disassembler.h>
#include <llvm-c/Target.h>
#include <stdio.h>
#include <string.h>

#include "dump.h"
#include "sema.h"

/* Every variable of the nodes from n on, once each (the var_info the
 * semantic pass resolved them to). */
static void dump_vars(FILE *f, const char *probe, const struct node *n, struct arena *a,
		      const void ***seen, int *nseen, int *cap)
{
	for (; n; n = n->next) {
		const struct call_info *ci = n->sema;
		if (ci && ci->var && (n->kind == N_VAR || n->kind == S_LET || n->kind == S_FOR_RANGE ||
				      n->kind == S_FOR_MAP)) {
			bool known = false;
			for (int i = 0; i < *nseen && !known; i++)
				known = (*seen)[i] == ci->var;
			if (!known) {
				if (*nseen == *cap) {
					*cap = *cap ? 2 * *cap : 16;
					const void **grown = arena_alloc(a, sizeof(*grown) * (size_t)*cap);
					if (*nseen)
						memcpy(grown, *seen, sizeof(*grown) * (size_t)*nseen);
					*seen = grown;
				}
				(*seen)[(*nseen)++] = ci->var;
				fprintf(f, "%s: $%s: %s\n", probe, ci->var->name, type_name(a, ci->var->type));
			}
		}
		const struct node *kids[] = { n->a, n->b, n->c, n->args, n->body, n->else_body };
		for (size_t i = 0; i < sizeof(kids) / sizeof(kids[0]); i++)
			dump_vars(f, probe, kids[i], a, seen, nseen, cap);
	}
}

void dump_types(const struct compiler *c, FILE *f)
{
	fprintf(f, "Types:\n");
	for (int i = 0; i < c->nmaps; i++) {
		const struct map_info *m = c->maps[i];
		if (m->key)
			fprintf(f, "%s[%s]: %s\n", m->name, type_name(c->arena, m->key), type_name(c->arena, m->value));
		else
			fprintf(f, "%s: %s\n", m->name, type_name(c->arena, m->value));
	}
	for (int i = 0; i < c->nprobes; i++) {
		const struct probe_info *pi = &c->probes[i];
		if (!pi->nspecs)
			continue;
		const void **seen = NULL;
		int nseen = 0, cap = 0;
		dump_vars(f, pi->specs[0].canonical, pi->ast->body, c->arena, &seen, &nseen, &cap);
	}
}

/* The instructions of one program section. */
static void dump_section(FILE *f, LLVMDisasmContextRef dis, const struct prog_desc *pd, Elf_Data *data)
{
	fprintf(f, "%s (%s, %s):\n", pd->fn_name, pd->section, pd->spec.canonical);
	uint8_t *bytes = data->d_buf;
	size_t off = 0;
	while (off < data->d_size) {
		char text[128];
		size_t n = LLVMDisasmInstruction(dis, bytes + off, data->d_size - off, off, text, sizeof(text));
		if (!n) {
			fprintf(f, "%6zu:\t<unknown>\n", off / 8);
			n = 8;
		} else {
			fprintf(f, "%6zu:\t%s\n", off / 8, text[0] == '\t' ? text + 1 : text);
		}
		off += n;
	}
}

int dump_dis(const struct compiled_program *p, FILE *f)
{
	LLVMInitializeBPFDisassembler();
	LLVMDisasmContextRef dis = LLVMCreateDisasm("bpfel", NULL, 0, NULL, NULL);
	if (!dis)
		return -1;
	int ret = -1;
	if (elf_version(EV_CURRENT) == EV_NONE)
		goto out;
	Elf *elf = elf_memory((char *)p->elf, p->elf_size);
	size_t shstrndx;
	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		goto out_elf;
	for (int i = 0; i < p->nprogs; i++) {
		for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
			GElf_Shdr sh;
			const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(elf, shstrndx, sh.sh_name) : NULL;
			Elf_Data *data;
			if (name && !strcmp(name, p->progs[i].section) && (data = elf_getdata(scn, NULL)))
				dump_section(f, dis, &p->progs[i], data);
		}
	}
	ret = 0;
out_elf:
	elf_end(elf);
out:
	LLVMDisasmDispose(dis);
	return ret;
}
