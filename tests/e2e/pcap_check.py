#!/usr/bin/env python3
"""Check a pcap file that skboutput() wrote (LANGUAGE.md §8): the file
header (nanosecond magic, version 2.4, LINKTYPE_RAW), the number of
records, that each record's timestamp is within --max-age seconds of the
wall clock now and its lengths agree, and what each record holds:

    pcap_check.py FILE --records N [--max-age S]
                  (--ip PORT:PAYLOAD | --udp PORT:PAYLOAD | --data PAYLOAD |
                   --head PORT:PAYLOAD)...

--ip: an IPv4 packet (a header that parses and whose lengths agree) of a
UDP datagram to PORT with that payload; --udp: the UDP header and payload
only (skboutput's offset left the IP header out); --data: only the payload;
--head: the IPv4 and UDP headers only of such a packet, the record's
orig_len its whole length. The others capture whole packets (incl_len ==
orig_len). The expectations apply to the records in order, the last one
to the rest.
"""
import argparse
import struct
import sys
import time

MAGIC_NS, LINKTYPE_RAW, UDP = 0xA1B23C4D, 101, 17


def fail(msg):
    raise SystemExit(f"pcap_check: {msg}")


def records(data):
    if len(data) < 24:
        fail(f"{len(data)} bytes: no file header")
    magic, major, minor, zone, sigfigs, snaplen, linktype = struct.unpack_from("<IHHiIII", data)
    if magic != MAGIC_NS:
        fail(f"magic {magic:#x}, not the nanosecond pcap magic {MAGIC_NS:#x}")
    if (major, minor) != (2, 4) or zone or sigfigs or snaplen != 65535:
        fail(f"header version {major}.{minor} zone {zone} sigfigs {sigfigs} snaplen {snaplen}")
    if linktype != LINKTYPE_RAW:
        fail(f"link type {linktype}, not LINKTYPE_RAW (101)")
    off = 24
    while off < len(data):
        if off + 16 > len(data):
            fail(f"a record header cut short at byte {off}")
        sec, nsec, incl, orig = struct.unpack_from("<IIII", data, off)
        if nsec >= 1000000000 or incl > orig or off + 16 + incl > len(data):
            fail(f"record at byte {off}: ns {nsec}, incl_len {incl}, orig_len {orig}")
        yield sec + nsec / 1e9, data[off + 16:off + 16 + incl], orig
        off += 16 + incl


def check_udp(pkt, port, payload):
    sport, dport, length, _ = struct.unpack_from("!HHHH", pkt)
    if dport != port or length != 8 + len(payload) or pkt[8:] != payload:
        fail(f"UDP datagram to {dport}, length {length}, payload {pkt[8:]!r}; expected {payload!r} to {port}")


def ip_header(pkt, orig):
    if len(pkt) < 20 or pkt[0] >> 4 != 4:
        fail(f"not an IPv4 packet: {pkt[:20].hex()}")
    ihl, total, proto = (pkt[0] & 15) * 4, struct.unpack_from("!H", pkt, 2)[0], pkt[9]
    if total != orig or proto != UDP or pkt[12:16] != bytes([127, 0, 0, 1]):
        fail(f"IPv4 header: total length {total} of {orig} bytes, protocol {proto}, source {pkt[12:16].hex()}")
    return ihl


def whole(check):
    def checked(pkt, orig, port, payload):
        if orig != len(pkt):
            fail(f"orig_len {orig} of a whole packet of {len(pkt)} bytes")
        check(pkt, port, payload)
    return checked


def check_ip(pkt, port, payload):
    check_udp(pkt[ip_header(pkt, len(pkt)):], port, payload)


def check_head(pkt, orig, port, payload):
    ihl = ip_header(pkt, orig)
    if len(pkt) != ihl + 8 or orig != ihl + 8 + len(payload):
        fail(f"{len(pkt)} bytes of a packet of {orig}, expected its {ihl + 8} bytes of headers")
    sport, dport, length, _ = struct.unpack_from("!HHHH", pkt, ihl)
    if dport != port or length != 8 + len(payload):
        fail(f"UDP header: to {dport}, length {length}")


def check_data(pkt, port, payload):
    if pkt != payload:
        fail(f"record {pkt!r}, expected {payload!r}")


def expectation(kind, text):
    port, payload = text.split(":", 1) if kind != "data" else ("0", text)
    check = {"ip": whole(check_ip), "udp": whole(check_udp), "data": whole(check_data), "head": check_head}[kind]
    return lambda pkt, orig: check(pkt, orig, int(port), payload.encode())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--records", type=int, required=True)
    ap.add_argument("--max-age", type=float, default=60)
    ap.add_argument("--ip", action="append", default=[])
    ap.add_argument("--udp", action="append", default=[])
    ap.add_argument("--data", action="append", default=[])
    ap.add_argument("--head", action="append", default=[])
    args = ap.parse_args()
    kinds = ("ip", "udp", "data", "head")
    expect = [a[2:].split("=")[0] for a in sys.argv[2:] if a.startswith("--") and a[2:].split("=")[0] in kinds]
    values = {kind: iter(getattr(args, kind)) for kind in kinds}
    checks = [expectation(kind, next(values[kind])) for kind in expect]
    with open(args.file, "rb") as f:
        recs = list(records(f.read()))
    if len(recs) != args.records:
        fail(f"{len(recs)} records, expected {args.records}")
    now = time.time()
    for i, (ts, pkt, orig) in enumerate(recs):
        if not now - args.max_age <= ts <= now + 1:
            fail(f"record {i}: timestamp {ts:.3f} is not close to now ({now:.3f})")
        if checks:
            checks[min(i, len(checks) - 1)](pkt, orig)
    print(f"{args.file}: {len(recs)} records")


if __name__ == "__main__":
    main()
