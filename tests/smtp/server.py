"""A mail server on loopback for Samspor's notification tests.

Speaks SMTP with STARTTLS required, under a certificate from a throw-away certificate
authority. Usage: server.py DIR. Writes DIR/ca.pem (the authority to trust), saves each message
as DIR/messages/<n>.eml and, decoded, as <n>.json, prints "PORT <n>" when ready and serves until stdin closes.

Recipients starting with "bounce" are refused for good (550), those starting with "later" for
now (451), so that both kinds of failure can be tested.
"""

import email
import email.policy
import json
import pathlib
import socket
import ssl
import sys

import trustme
from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, folder: pathlib.Path):
        self.folder = folder
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        if local.startswith("bounce"):
            return "550 5.1.1 Mailbox does not exist"
        if local.startswith("later"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        tls = "tls" if session.ssl is not None else "plain"
        name = self.folder / f"{self.count:04d}.eml"
        header = f"X-Test-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\nX-Test-Transport: {tls}\r\n"
        part = name.with_suffix(".part")
        part.write_bytes(header.encode() + envelope.original_content)
        part.rename(name)
        # The decoded message beside the raw one, so a test reads the text as a person would.
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        decoded = {
            "to": envelope.rcpt_tos,
            "from": envelope.mail_from,
            "subject": str(message["subject"]),
            "body": message.get_body(preferencelist=("plain",)).get_content(),
            "tls": session.ssl is not None,
        }
        done = name.with_suffix(".json")
        done.with_suffix(".part").write_text(json.dumps(decoded))
        done.with_suffix(".part").rename(done)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    folder = pathlib.Path(sys.argv[1])
    messages = folder / "messages"
    messages.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    port = free_port()
    controller = Controller(
        Handler(messages),
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        server_hostname="localhost",
    )
    controller.start()
    print(f"PORT {port}", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
