"""BOOTP/DHCP messages for the Python test clients (RFC 2131 §2, RFC 2132): the one place that knows the wire layout.

  build(options=..., **fields)   a message: the fixed header, the magic cookie, the options and END
  header(**fields)               the fixed header and the magic cookie only (add raw option bytes yourself)
  encode_options(options)        the options field, END included unless end=False
  parse(data)                    a received message as a Message (header fields, options dict), or None
  parse_options(data, offset)    the options dict of a message (from byte 240) or, with offset=0, of an options field
  mac_bytes/mac_text/ip_bytes/ip_text   MAC and IPv4 text <-> bytes

Header fields, all keywords, all defaulting to the usual client request: op=1 (BOOTREQUEST), htype=1 (Ethernet),
hlen=6, hops=0, xid=0, secs=0, flags=0 (BROADCAST for the broadcast bit), ciaddr/yiaddr/siaddr/giaddr (dotted text
or 4 bytes, default 0.0.0.0), chaddr ("aa:bb:..." or bytes, zero-padded to 16), sname and file (bytes or text,
zero-padded to 64 and 128), cookie (default MAGIC_COOKIE). Nothing is checked against anything else, so a hostile
test can build a wrong htype, hlen, op or cookie on purpose; a field longer than its slot is an error, never cut.

Options are (code, value) pairs in the order given (a dict works too); a value is bytes or a sequence of byte
values, e.g. (55, [1, 3, 6]) or (53, [DISCOVER]). A value may be empty (a zero-length option). Deliberately broken
option bytes (a length past the end, a code without its length) are not options: append them as raw bytes to
header() or to build(..., end=False).

The test scripts run as `python3 Tests/integration/X.py` (as root); they import this module with
    sys.dont_write_bytecode = True  # no root-owned __pycache__ left in the checkout
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
    import dhcp_packet
"""
import socket
import struct

MAGIC_COOKIE = b"\x63\x82\x53\x63"
BOOTREQUEST, BOOTREPLY = 1, 2
BROADCAST = 0x8000
DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE, INFORM = 1, 2, 3, 4, 5, 6, 7, 8
PAD, END = 0, 255
# Option codes the tests use.
SUBNET_MASK, ROUTER, DNS_SERVERS, HOSTNAME = 1, 3, 6, 12
VENDOR_SPECIFIC, REQUESTED_IP, LEASE_TIME, OVERLOAD, MESSAGE_TYPE, SERVER_ID = 43, 50, 51, 52, 53, 54
PARAMETER_LIST, MESSAGE, VENDOR_CLASS, CLIENT_ID, BOOTFILE_NAME, RELAY_AGENT = 55, 56, 60, 61, 67, 82
CLIENT_ARCH, CLIENT_NDI, CLIENT_UUID = 93, 94, 97

_FIXED = struct.Struct("!BBBBIHH4s4s4s4s16s64s128s")  # 236 bytes, then the cookie at 236..239
OPTIONS_OFFSET = _FIXED.size + len(MAGIC_COOKIE)  # 240


def mac_bytes(text):
    """"52:54:00:aa:bb:cc" (or "-" separated) -> 6 bytes."""
    return bytes(int(part, 16) for part in text.replace("-", ":").split(":"))


def mac_text(raw):
    """bytes -> "52:54:00:aa:bb:cc" (lower case)."""
    return ":".join(f"{b:02x}" for b in raw)


def ip_bytes(text):
    """"10.0.0.1" -> 4 bytes."""
    return socket.inet_aton(text)


def ip_text(raw):
    """4 bytes -> "10.0.0.1"."""
    return socket.inet_ntoa(raw)


def _address(value):
    if value is None:
        return b"\0" * 4
    if isinstance(value, str):
        return ip_bytes(value)
    value = bytes(value)
    if len(value) != 4:
        raise ValueError(f"an IPv4 address is 4 bytes, not {len(value)}")
    return value


def _field(value, size, name):
    if isinstance(value, str):
        value = value.encode("latin-1")
    value = bytes(value)
    if len(value) > size:
        raise ValueError(f"{name} holds {size} bytes, not {len(value)}")
    return value  # struct pads it with zeros


def header(*, op=BOOTREQUEST, htype=1, hlen=6, hops=0, xid=0, secs=0, flags=0, ciaddr=None, yiaddr=None,
           siaddr=None, giaddr=None, chaddr=b"", sname=b"", file=b"", cookie=MAGIC_COOKIE):
    """The 236-byte fixed header followed by `cookie` (240 bytes with the usual cookie)."""
    if isinstance(chaddr, str):
        chaddr = mac_bytes(chaddr)
    return _FIXED.pack(op, htype, hlen, hops, xid, secs, flags, _address(ciaddr), _address(yiaddr),
                       _address(siaddr), _address(giaddr), _field(chaddr, 16, "chaddr"), _field(sname, 64, "sname"),
                       _field(file, 128, "file")) + bytes(cookie)


def encode_options(options=(), end=True):
    """The options field: each (code, value) as code, length, value; then END unless end=False."""
    if isinstance(options, dict):
        options = options.items()
    out = bytearray()
    for code, value in options:
        value = bytes(value)
        if not 0 < code < 255 or len(value) > 255:
            raise ValueError(f"option {code} with {len(value)} bytes cannot be encoded")
        out += bytes([code, len(value)]) + value
    if end:
        out.append(END)
    return bytes(out)


def build(options=(), *, message_type=None, end=True, **fields):
    """header(**fields) + options. message_type, when given, goes first as option 53."""
    if message_type is not None:
        options = [(MESSAGE_TYPE, [message_type])] + list(options.items() if isinstance(options, dict) else options)
    return header(**fields) + encode_options(options, end=end)


def parse_options(data, offset=OPTIONS_OFFSET):
    """{code: value}: the options from `offset` (240, after the cookie; 0 for an options field alone) up to END or
    the end of the data. PAD is skipped; an option cut short by the end of the data is dropped; a code that appears
    more than once has its values concatenated (RFC 3396). Option 52's sname/file options are not read."""
    options = {}
    i = offset
    while i < len(data):
        code = data[i]
        if code == END:
            break
        if code == PAD:
            i += 1
            continue
        if i + 1 >= len(data) or i + 2 + data[i + 1] > len(data):
            break
        length = data[i + 1]
        options[code] = options.get(code, b"") + bytes(data[i + 2:i + 2 + length])
        i += 2 + length
    return options


class Message:
    """A parsed message: the header fields (addresses as dotted text, chaddr as its first hlen bytes (at most 16),
    sname and file as latin-1 text up to their first NUL) and `options` ({code: bytes})."""

    __slots__ = ("op", "htype", "hlen", "hops", "xid", "secs", "flags", "ciaddr", "yiaddr", "siaddr", "giaddr",
                 "chaddr", "sname", "file", "options")

    @property
    def message_type(self):
        """Option 53's value, or None when it is missing or empty."""
        value = self.options.get(MESSAGE_TYPE, b"")
        return value[0] if value else None

    @property
    def mac(self):
        return mac_text(self.chaddr)

    def address_option(self, code):
        """A 4-byte option as dotted text (server identifier, requested address...), or None."""
        value = self.options.get(code, b"")
        return ip_text(value) if len(value) == 4 else None

    def __repr__(self):
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"Message({fields})"


def parse(data, op=None):
    """A Message, or None when `data` is shorter than 240 bytes, lacks the magic cookie, or (with `op`) has another
    op (BOOTREPLY for what a server sent)."""
    if len(data) < OPTIONS_OFFSET or data[236:240] != MAGIC_COOKIE or (op is not None and data[0] != op):
        return None
    values = _FIXED.unpack_from(data)
    message = Message()
    (message.op, message.htype, message.hlen, message.hops, message.xid, message.secs, message.flags) = values[:7]
    message.ciaddr, message.yiaddr, message.siaddr, message.giaddr = (ip_text(raw) for raw in values[7:11])
    message.chaddr = values[11][:min(message.hlen, 16)]
    message.sname = values[12].split(b"\0", 1)[0].decode("latin-1")
    message.file = values[13].split(b"\0", 1)[0].decode("latin-1")
    message.options = parse_options(data, OPTIONS_OFFSET)
    return message
