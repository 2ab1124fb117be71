#!/usr/bin/env python3
"""Send COUNT UDP datagrams "PREFIX 0", "PREFIX 1", ... over 127.0.0.1 to
PORT, to a socket of its own (so the kernel answers with no ICMP error):

    udp_send.py PORT COUNT PREFIX
"""
import socket
import sys


def main():
    port, count, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", port))
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(count):
        tx.sendto(f"{prefix} {i}".encode(), ("127.0.0.1", port))
    rx.settimeout(5)
    for _ in range(count):
        rx.recv(65535)


if __name__ == "__main__":
    main()
