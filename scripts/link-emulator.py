#!/usr/bin/env python3
"""
A network link between two Linux network namespaces, emulated in user space: one TUN device in
each (a point-to-point link with loopback-range addresses), and this process carrying every IP
packet from one to the other after a one-way delay, dropping each with a probability, and, with a
rate, sending them no faster than it through a drop-tail queue (what `tc qdisc ... netem delay
D loss L rate R` does, for kernels built without netem). The round trip is twice the delay.

    python3 scripts/link-emulator.py --a NS_A:127.10.0.1 --b NS_B:127.10.0.2 \
        [--delay-ms 20] [--loss 0.1] [--rate-mbit 0] [--queue-packets 1000] [--mtu 1500] [--seed 1]

The namespaces must exist (`ip netns add`); the devices are made here and vanish when this
process exits (SIGTERM, SIGINT, or its stdin closing). Prints `ready` once both ends answer,
and on exit one line of counts. Needs root. Used by `npm run bench:storage -- --link`.
"""
import argparse
import collections
import ctypes
import fcntl
import os
import random
import selectors
import signal
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)


def enter(ns):
    """Move this thread into network namespace `ns` (so the next TUN device is made there)."""
    fd = os.open(f"/var/run/netns/{ns}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns {ns}: {os.strerror(err)}")
    finally:
        os.close(fd)


def tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def ip(ns, *args):
    subprocess.run(["ip", "netns", "exec", ns, *args], check=True, capture_output=True)


class Direction:
    """One direction of the link: packets read from `src`, written to `dst` when due."""

    def __init__(self, src, dst, args, rng):
        self.src, self.dst = src, dst
        self.delay = args.delay_ms / 1000
        self.loss = args.loss / 100
        self.byte_time = 8 / (args.rate_mbit * 1e6) if args.rate_mbit > 0 else 0.0
        self.queue_limit = args.queue_packets
        self.rng = rng
        self.free_at = 0.0  # when the (rate-limited) link finishes sending what it holds
        self.queued = collections.deque()  # (leaves the queue, arrives, packet), in order
        self.sending = collections.deque()  # when each packet still in the rate queue leaves it
        self.counts = collections.Counter()

    def read(self, now):
        while True:
            try:
                packet = os.read(self.src, 65536)
            except BlockingIOError:
                return
            self.counts["packets"] += 1
            if self.byte_time:
                while self.sending and self.sending[0] <= now:
                    self.sending.popleft()
                if len(self.sending) >= self.queue_limit:
                    self.counts["queue drops"] += 1
                    continue
            if self.loss and self.rng.random() < self.loss:
                self.counts["lost"] += 1
                continue
            leave = max(now, self.free_at) + len(packet) * self.byte_time
            self.free_at = leave
            if self.byte_time:
                self.sending.append(leave)
            self.queued.append((leave, leave + self.delay, packet))

    def write_due(self, now):
        while self.queued and self.queued[0][1] <= now:
            _, _, packet = self.queued.popleft()
            try:
                os.write(self.dst, packet)
                self.counts["delivered"] += 1
            except BlockingIOError:
                self.counts["tun full"] += 1

    def next_due(self):
        return self.queued[0][1] if self.queued else None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--a", required=True, help="NAMESPACE:ADDRESS of one end")
    p.add_argument("--b", required=True, help="NAMESPACE:ADDRESS of the other end")
    p.add_argument("--delay-ms", type=float, default=20.0, help="one-way delay (ms)")
    p.add_argument("--loss", type=float, default=0.1, help="percent of packets dropped, each way")
    p.add_argument("--rate-mbit", type=float, default=0.0, help="link rate each way (Mbit/s); 0: no limit")
    p.add_argument("--queue-packets", type=int, default=1000, help="drop-tail queue in front of the rate limit")
    p.add_argument("--mtu", type=int, default=1500)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dev-prefix", default="msl")
    args = p.parse_args()
    ends = []
    for i, spec in enumerate((args.a, args.b)):
        ns, address = spec.split(":")
        ends.append((ns, address, f"{args.dev_prefix}{os.getpid() % 100000}{'ab'[i]}"))
    fds = []
    for ns, _, dev in ends:
        enter(ns)
        fds.append(tun(dev))
    for (ns, address, dev), (_, peer, _) in zip(ends, reversed(ends)):
        ip(ns, "sysctl", "-qw", "net.ipv4.conf.all.route_localnet=1", f"net.ipv4.conf.{dev}.route_localnet=1")
        ip(ns, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", f"net.ipv4.conf.{dev}.rp_filter=0")
        ip(ns, "ip", "addr", "add", address, "peer", peer, "dev", dev)
        ip(ns, "ip", "link", "set", "dev", dev, "mtu", str(args.mtu), "up")
    rng = random.Random(args.seed)
    directions = [Direction(fds[0], fds[1], args, rng), Direction(fds[1], fds[0], args, rng)]
    sel = selectors.DefaultSelector()
    for d in directions:
        sel.register(d.src, selectors.EVENT_READ, d)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    sel.register(sys.stdin, selectors.EVENT_READ, None)
    print("ready", flush=True)
    while not stop:
        now = time.monotonic()
        for d in directions:
            d.write_due(now)
        due = [t for t in (d.next_due() for d in directions) if t is not None]
        timeout = max(0.0, min(due) - time.monotonic()) if due else 1.0
        for key, _ in sel.select(timeout):
            if key.data is None:
                if not sys.stdin.read(1):
                    stop.append(1)
                continue
            key.data.read(time.monotonic())
    a_to_b, b_to_a = (dict(d.counts) for d in directions)
    print(f"a->b {a_to_b}; b->a {b_to_a}", flush=True)


if __name__ == "__main__":
    main()
