# The pyftpdlib server run by ftptest.StartPyftpdlib: Debian's
# python3-pyftpdlib with its defaults (MLSD on, GMT times, one process
# serving every session), listening on 127.0.0.1 on a port the kernel picks,
# which it prints as "port N" on stdout once it accepts connections.
#
# Arguments: root user password perm pasv_low pasv_high debug
import logging
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

root, user, password, perm, low, high, debug = sys.argv[1:8]
logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if debug == "1" else logging.WARNING)

authorizer = DummyAuthorizer()
authorizer.add_user(user, password, root, perm=perm)


class Handler(FTPHandler):
    pass


Handler.authorizer = authorizer
Handler.passive_ports = range(int(low), int(high) + 1)
Handler.masquerade_address = None

server = FTPServer(("127.0.0.1", 0), Handler)
print("port %d" % server.address[1], flush=True)
server.serve_forever(handle_exit=True)
