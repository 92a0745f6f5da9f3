#!/usr/bin/env python3
"""Start-up to the first event, peak RSS and start-to-exit of a one-probe
program: bee run (cached object) vs bpftrace vs a minimal hand-written
libbpf loader, measured in the same run.

Each tool traces getppid() of a generator process that calls it every
100 us, prints the first event and exits. Usage: bench/startup.py [BUILD] [RUNS]
"""
import os, resource, select, subprocess, sys, tempfile, time

build = sys.argv[1] if len(sys.argv) > 1 else "build"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
bee = os.path.abspath(os.path.join(build, "bee"))
tmp = tempfile.mkdtemp(prefix="bee-startup.")

def sh(cmd):
    subprocess.run(cmd, shell=True, check=True)

sh(f"cc -O2 -o {tmp}/consumer {root}/bench/libbpf_consumer.c -lbpf -lelf -lz")
sh(f"clang -target bpf -g -O2 -D__TARGET_ARCH_x86 -DBEE_RB_WAKEUP_EACH -I{root}/include -I{build} "
   f"-c {root}/examples/ringbuf_output.bpf.c -o {tmp}/ring.bpf.o")
gen_src = f"{tmp}/gen.c"
open(gen_src, "w").write("#include <unistd.h>\nint main(void){for(;;){getppid();usleep(100);}}\n")
sh(f"cc -O2 -o {tmp}/gen {gen_src}")
gen = subprocess.Popen([f"{tmp}/gen"])
pid = gen.pid
# warm bee's compile cache: the target is start-up of a cached program
subprocess.run([bee, "run", f"{root}/examples/ringbuf_output.bpf.c", "--duration", "0.1", "-q",
                "--no-maps"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

tools = {
    "bee": [bee, "run", f"{root}/examples/ringbuf_output.bpf.c", f"--set", f"target_pid={pid}",
            "-n", "1", "-q", "--no-maps"],
    "libbpf-minimal": [f"{tmp}/consumer", f"{tmp}/ring.bpf.o", str(pid), "-", "--first"],
}
if subprocess.run("command -v bpftrace", shell=True, stdout=subprocess.DEVNULL).returncode == 0:
    tools["bpftrace"] = ["bpftrace", "-e",
                         f"tracepoint:syscalls:sys_enter_getppid /pid == {pid}/ "
                         "{ printf(\"pid=%d\\n\", pid); exit(); }"]

def one(argv):
    # /usr/bin/time reports the tool's own peak RSS (wait4 from Python would
    # also count the forked Python before exec)
    rssf = f"{tmp}/rss"
    argv = ["/usr/bin/time", "-f", "%M", "-o", rssf] + argv
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    first = None
    buf = b""
    while first is None:
        r, _, _ = select.select([p.stdout], [], [], 10)
        if not r:
            break
        chunk = os.read(p.stdout.fileno(), 4096)
        if not chunk:
            break
        buf += chunk
        if b"pid=" in buf:
            first = time.monotonic() - t0
    p.stdout.read()
    p.wait()
    total = time.monotonic() - t0
    return first, total, int(open(rssf).read().split()[-1]) / 1024.0

res = {}
for name, argv in tools.items():
    firsts, totals, rss = [], [], []
    for _ in range(runs):
        f, t, m = one(argv)
        if f is None:
            print(f"{name}: no event seen", file=sys.stderr)
            continue
        firsts.append(f); totals.append(t); rss.append(m)
    if firsts:
        firsts.sort(); totals.sort()
        res[name] = (firsts[len(firsts) // 2], totals[len(totals) // 2], max(rss))
gen.kill()

print(f"one-probe program, median of {runs} runs (bee: cached object)")
print(f"{'tool':<16} {'first event ms':>15} {'start-to-exit ms':>17} {'peak RSS MB':>12}")
for name, (f, t, m) in res.items():
    print(f"{name:<16} {f * 1000:15.1f} {t * 1000:17.1f} {m:12.1f}")
if "bpftrace" in res and "bee" in res:
    b, p = res["bee"], res["bpftrace"]
    print(f"bee / bpftrace: first event {b[0] / p[0]:.2f}x (target <= 0.5x), "
          f"peak RSS {b[2] / p[2]:.3f}x (target <= 0.1x), start-to-exit {b[1] / p[1]:.2f}x")
if "libbpf-minimal" in res and "bee" in res:
    b, l = res["bee"], res["libbpf-minimal"]
    print(f"bee / minimal libbpf loader: first event {b[0] / l[0]:.2f}x, peak RSS {b[2] / l[2]:.2f}x")
