#!/usr/bin/env python3
"""Assembles the libFuzzer seed corpora from the test fixtures, so no input is committed twice.

  dhcp:    the real clients' captured DISCOVERs (Tests/DHCPCoreTests/Fixtures/*.bin)
  tftp:    the golden bytes written as hex in Tests/TFTPCoreTests (every hex literal of 4 bytes or more)
  http:    the request targets and Range values quoted in Tests/HTTPCoreTests, each target alone and with each range
  profile: profiles/ and Tests/Fixtures/broken-profiles/profiles/, each packed whole and each profile alone
           with its folder's templates, in the format Fuzz/Sources/FuzzProfile/ProfileBundle.swift reads
and, for each target, the committed regressions in Tests/Fixtures/fuzz-regressions/<target>/.

Usage: fuzz-seeds.py OUT_DIR   (writes OUT_DIR/{dhcp,tftp,http,profile}/, replacing what was there)
"""
import hashlib
import pathlib
import re
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
# A Swift string literal of hex digits, possibly a multi-line one continued with trailing backslashes.
HEX_LITERAL = re.compile(r'"""\s*\n((?:\s*[0-9a-f]+\\?\n)+)\s*"""|"([0-9a-f]{8,})"')


def write(directory: pathlib.Path, data: bytes) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)


def dhcp_seeds():
    for path in sorted((ROOT / "Tests/DHCPCoreTests/Fixtures").glob("*.bin")):
        yield path.read_bytes()


def tftp_seeds():
    for path in sorted((ROOT / "Tests/TFTPCoreTests").rglob("*.swift")):
        for match in HEX_LITERAL.finditer(path.read_text()):
            digits = re.sub(r"[\s\\]", "", match.group(1) or match.group(2))
            if len(digits) % 2 == 0:
                yield bytes.fromhex(digits)


def http_seeds():
    targets, ranges = set(), set()
    for path in sorted((ROOT / "Tests/HTTPCoreTests").rglob("*.swift")):
        for literal in re.findall(r'"((?:[^"\\]|\\.)*)"', path.read_text()):
            if literal.startswith("/"):
                targets.add(literal.replace("\\\\", "\\"))
            elif literal.lower().startswith(("bytes=", "items=")):
                ranges.add(literal)
    for target in sorted(targets):
        yield target.encode()
        for value in sorted(ranges):
            yield f"{target}\n{value}".encode()


def bundle(files) -> bytes:
    """`#file PATH` then the file's text, for each (path, text)."""
    return "".join(f"#file {path}\n{text}" + ("" if text.endswith("\n") else "\n") for path, text in files).encode()


def profile_seeds():
    for folder in [ROOT / "profiles", ROOT / "Tests/Fixtures/broken-profiles/profiles"]:
        templates = [(f"templates/{p.name}", p.read_text()) for p in sorted((folder / "templates").glob("*.yaml"))]
        profiles = [(p.name, p.read_text()) for p in sorted(folder.glob("*.yaml"))]
        yield bundle(profiles + templates)
        for profile in profiles:
            yield bundle([profile] + templates)


def main() -> int:
    out = pathlib.Path(sys.argv[1])
    regressions = ROOT / "Tests/Fixtures/fuzz-regressions"
    for target, seeds in [("dhcp", dhcp_seeds), ("tftp", tftp_seeds), ("http", http_seeds), ("profile", profile_seeds)]:
        directory = out / target
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        for data in seeds():
            write(directory, data)
        for path in sorted((regressions / target).glob("*")) if (regressions / target).is_dir() else []:
            if path.is_file() and path.name != "README.md":
                write(directory, path.read_bytes())
        count = len(list(directory.iterdir()))
        if count == 0:
            print(f"fuzz-seeds: no seeds for {target}", file=sys.stderr)
            return 1
        print(f"fuzz-seeds: {count} seeds for {target} in {directory}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
