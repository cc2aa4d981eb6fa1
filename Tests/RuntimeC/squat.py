"""Squats on the live-inspection name of process PID (@alloctag.PID): prints "bound", then
serves one forged report to the first client, or holds the name for 3 s with --hold."""
import socket
import sys
import time

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("\0alloctag." + sys.argv[1])
s.listen(1)
print("bound", flush=True)
if "--hold" in sys.argv:
    time.sleep(3)
else:
    c, _ = s.accept()
    try:  # a client that checks the server hangs up before reading
        c.sendall(b"allocinfo - version: 2.0\n#     <size>  <calls> <tag info>\n         666        1 forged.c:1 func:f \n")
    except BrokenPipeError:
        pass
