"""A real SMTP server for Paperstand's tests and benchmarks (aiosmtpd).

    smtp_server.py --host 127.0.0.1 --port 0 --out DIR [--auth USER:PASSWORD]
                   [--tls CERT KEY --tls-mode implicit|starttls] [--no-fsync]

Prints ``LISTENING <port>`` on stdout once it accepts connections. Every accepted
message is appended to ``DIR/received.jsonl`` (one JSON object a line: seq, connection,
mail_from, rcpt_tos, message_id, data) and flushed and fsynced *before* the 250 reply,
so whatever a client saw accepted is on disk. Every connection is appended to
``DIR/connections.jsonl``.

Faults, chosen by a recipient's local part (so one server serves a mixed run):
  fault-421   421 at RCPT, then the server closes the connection
  fault-450, fault-451, fault-452, fault-550   that reply at RCPT
  fault-552, fault-554   that reply at the end of DATA (mailbox full, content rejected)
  fault-drop  the connection is closed in the middle of DATA
  fault-stall the end of DATA is never answered
  fault-once-451   451 at RCPT the first time this exact address is seen, then accepted
"""

import argparse
import asyncio
import email.parser
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

RCPT_REPLIES = {
    "fault-421": "421 4.3.2 Service shutting down, try again later",
    "fault-450": "450 4.2.1 Mailbox unavailable, try again later",
    "fault-451": "451 4.3.0 Local error in processing",
    "fault-452": "452 4.5.3 Insufficient system storage",
    "fault-550": "550 5.1.1 Mailbox unavailable",
}
DATA_REPLIES = {
    "fault-552": "552 5.2.2 Mailbox full",
    "fault-554": "554 5.7.1 Message rejected",
}


def fault_of(address):
    return address.rsplit("@", 1)[0].lower()


class Log:
    """Appends JSON lines to a file, each one on disk before the call returns."""

    def __init__(self, path, fsync):
        self.file = open(path, "a", encoding="utf-8")
        self.fsync = fsync
        self.lock = threading.Lock()
        self.count = 0

    def append(self, record):
        with self.lock:
            self.count += 1
            record["seq"] = self.count
            self.file.write(json.dumps(record) + "\n")
            self.file.flush()
            if self.fsync:
                os.fsync(self.file.fileno())
            return self.count


class Handler:
    def __init__(self, received):
        self.received = received
        self.seen_once = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        fault = fault_of(address)
        if fault in RCPT_REPLIES:
            if fault == "fault-421":
                # The reply is written before this callback runs; close() flushes it.
                asyncio.get_running_loop().call_soon(server.transport.close)
            return RCPT_REPLIES[fault]
        if fault == "fault-once-451" and address.lower() not in self.seen_once:
            self.seen_once.add(address.lower())
            return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        faults = {fault_of(r) for r in envelope.rcpt_tos}
        if "fault-stall" in faults:
            await asyncio.sleep(3600)
            return "451 4.4.2 Stalled"
        for fault, reply in DATA_REPLIES.items():
            if fault in faults:
                return reply
        data = envelope.original_content or b""
        headers = email.parser.BytesHeaderParser().parsebytes(data)
        record = {
            "connection": getattr(server, "connection_id", 0),
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "message_id": headers.get("Message-ID"),
            "data": data.decode("utf-8", errors="replace"),
        }
        loop = asyncio.get_running_loop()
        seq = await loop.run_in_executor(None, self.received.append, record)
        return f"250 2.0.0 OK queued as {seq}"


def make_server_class(connections):
    class FaultySMTP(SMTP):
        def connection_made(self, transport):
            # STARTTLS calls this again on the same protocol: count the first call only.
            first = self.transport is None
            super().connection_made(transport)
            if first:
                self.connection_id = connections.append(
                    {"peer": str(transport.get_extra_info("peername"))}
                )

        async def smtp_DATA(self, arg):
            rcpts = self.envelope.rcpt_tos if self.envelope else []
            if any(fault_of(r) == "fault-drop" for r in rcpts) and not arg:
                await self.push("354 End data with <CR><LF>.<CR><LF>")
                try:
                    await asyncio.wait_for(self._reader.readuntil(b"\r\n"), 5)
                except Exception:
                    pass
                self.transport.close()
                # connection_lost cancels this task; the rest of the data is never read.
                await asyncio.sleep(3600)
                return
            await super().smtp_DATA(arg)

    return FaultySMTP


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--auth", help="USER:PASSWORD required via AUTH PLAIN/LOGIN")
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--tls-mode", choices=["implicit", "starttls"], default="implicit")
    parser.add_argument("--no-fsync", action="store_true", help="for measuring the sink alone")
    args = parser.parse_args()

    os.makedirs(args.out, exist_ok=True)
    fsync = not args.no_fsync
    received = Log(os.path.join(args.out, "received.jsonl"), fsync)
    connections = Log(os.path.join(args.out, "connections.jsonl"), False)
    handler = Handler(received)
    server_class = make_server_class(connections)

    options = {
        "hostname": "paperstand-test-sink",
        "enable_SMTPUTF8": True,
        "data_size_limit": 10 * 1024 * 1024,
    }
    if args.auth:
        user, _, password = args.auth.partition(":")
        expected = (user.encode(), password.encode())

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and (
                auth_data.login,
                auth_data.password,
            ) == expected
            return AuthResult(success=ok, handled=False)

        options.update(
            authenticator=authenticator, auth_required=True, auth_require_tls=False
        )
    server_ssl = None
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls[0], args.tls[1])
        if args.tls_mode == "implicit":
            server_ssl = context
        else:
            options.update(tls_context=context, require_starttls=True)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: server_class(handler, loop=loop, **options),
        host=args.host,
        port=args.port,
        ssl=server_ssl,
        reuse_address=True,
    )
    port = server.sockets[0].getsockname()[1]
    print(f"LISTENING {port}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")
    asyncio.run(main())
    sys.exit(0)
