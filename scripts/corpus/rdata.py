"""A reader for R's lazy-load databases (.rdx index + .rdb values, XDR serialization v2/v3).

Only what plain data needs: vectors, pairlists, symbols, references and attributes. Enough to
read character vectors out of an R package's data/Rdata.rdb without installing R.
"""
import gzip
import struct
import zlib

NIL, GLOBALENV, EMPTYENV, BASEENV, BASENS, MISSING, UNBOUND, REF = 254, 253, 242, 241, 247, 251, 252, 255
SPECIAL = {NIL, GLOBALENV, EMPTYENV, BASEENV, BASENS, MISSING, UNBOUND}


class RReader:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0
        self.refs: list = []

    def int(self) -> int:
        (v,) = struct.unpack_from(">i", self.data, self.pos)
        self.pos += 4
        return v

    def length(self) -> int:
        n = self.int()
        if n == -1:
            hi, lo = self.int(), self.int()
            n = (hi << 32) + lo
        return n

    def header(self) -> None:
        if self.data[:2] != b"X\n":
            raise ValueError("not an XDR serialization")
        self.pos = 2
        version = self.int()
        self.int()
        self.int()
        if version == 3:
            n = self.int()
            self.pos += n

    def item(self):
        flags = self.int()
        kind = flags & 0xFF
        has_attr = bool(flags & (1 << 9))
        has_tag = bool(flags & (1 << 10))
        if kind in SPECIAL:
            return None
        if kind == REF:
            index = flags >> 8
            if index == 0:
                index = self.int()
            return self.refs[index - 1]
        if kind == 1:  # SYMSXP
            name = self.item()
            self.refs.append(("sym", name))
            return ("sym", name)
        if kind in (2, 6, 17, 3, 5):  # pairlist-like
            attr = self.item() if has_attr else None
            tag = self.item() if has_tag else None
            car = self.item()
            cdr = self.item()
            cell = [(tag[1] if tag else None, car)]
            if isinstance(cdr, dict) and cdr.get("pairlist"):
                cell += cdr["items"]
            return {"pairlist": True, "items": cell, "attr": attr}
        if kind == 9:  # CHARSXP
            n = self.int()
            if n == -1:
                return None
            s = self.data[self.pos : self.pos + n]
            self.pos += n
            return s.decode("utf-8")
        if kind in (10, 13):
            n = self.length()
            v = list(struct.unpack_from(f">{n}i", self.data, self.pos))
            self.pos += 4 * n
            return self.with_attr(v, has_attr)
        if kind == 14:
            n = self.length()
            v = list(struct.unpack_from(f">{n}d", self.data, self.pos))
            self.pos += 8 * n
            return self.with_attr(v, has_attr)
        if kind in (16, 19, 20):
            n = self.length()
            v = [self.item() for _ in range(n)]
            return self.with_attr(v, has_attr)
        raise ValueError(f"unsupported R type {kind} at byte {self.pos}")

    def with_attr(self, value, has_attr):
        if not has_attr:
            return value
        attr = self.item()
        return {"value": value, "attr": attr}


def unserialize(data: bytes):
    reader = RReader(data)
    reader.header()
    return reader.item()


def names_of(obj) -> list:
    for tag, value in obj["attr"]["items"]:
        if tag == "names":
            return value
    raise ValueError("no names attribute")


def lazy_load(rdx_path: str, rdb_path: str) -> dict:
    """All variables of a lazy-load database: name → value."""
    with open(rdx_path, "rb") as f:
        raw = f.read()
    index = unserialize(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else zlib.decompress(raw))
    entries = dict(zip(names_of(index), index["value"]))
    variables = entries["variables"]
    with open(rdb_path, "rb") as f:
        rdb = f.read()
    out = {}
    for name, (offset, size) in zip(names_of(variables), [v for v in variables["value"]]):
        blob = rdb[offset : offset + size]
        out[name] = unserialize(zlib.decompress(blob[4:]))
    return out
