"""Squats on the names live inspection used to derive from process PID's pid
(@alloctag.PID and @alloctag.PID.ext): prints "bound", then serves one forged report to the
first client, or holds the names for 4 s with --hold."""
import socket
import sys
import time

sockets = []
for suffix in ("", ".ext"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind("\0alloctag." + sys.argv[1] + suffix)
    s.listen(1)
    sockets.append(s)
print("bound", flush=True)
if "--hold" in sys.argv:
    time.sleep(4)
else:
    c, _ = sockets[0].accept()
    try:  # a client that checks the server hangs up before reading
        c.sendall(b"allocinfo - version: 2.0\n#     <size>  <calls> <tag info>\n         666        1 forged.c:1 func:f \n")
    except BrokenPipeError:
        pass
