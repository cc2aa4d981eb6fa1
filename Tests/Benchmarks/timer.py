"""timer.py OUTPUT_FILE COMMAND... - runs COMMAND with stdout+stderr to OUTPUT_FILE and prints
"wall_ms<TAB>cpu_ms".  CPU time is user+sys of the command and of every descendant it waited
for (heaptrack's interpreter, zstd), which a loaded machine disturbs far less than wall time.
Exits with the command's status."""
import os
import sys
import time

out = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
t0 = time.monotonic()
pid = os.fork()
if pid == 0:
    os.dup2(out, 1)
    os.dup2(out, 2)
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
wall = time.monotonic() - t0
print(f"{wall * 1000:.1f}\t{(ru.ru_utime + ru.ru_stime) * 1000:.1f}")
sys.exit(os.waitstatus_to_exitcode(status) & 255)
