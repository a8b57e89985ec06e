"""An argument-printing stand-in program for Wine: a minimal 64-bit Windows console executable, built here.

Every tool the module runs (``net``, ``fc``, ``regsvr32``, ``cscript``, ``tasklist``, ...) is replaced, in
the Wine oracle's prefix, by one of these.  It asks the C runtime (``msvcrt.dll``, Wine's own implementation)
for its arguments exactly as a real console tool gets them (``__getmainargs``: the command line split by the
runtime's quoting rules), prints a header line and one line per argument, and exits with a code fixed when the
file is built::

    net> 2 args
    net[1]=stop
    net[2]=w3svc

A batch file would not do: cmd.exe runs a batch file called without ``call`` in place of the rest of the
line, and ``%*`` would hand the arguments to cmd.exe a second time.  A Unix program would not either: Wine 8
neither waits for one nor passes its exit code back.

The code (x86-64, Windows calling convention), 96 bytes, hand-assembled::

    sub  rsp, 0x58                ; shadow space + locals, keeps rsp 16-byte aligned at each call
    lea  rcx, [rsp+0x30]          ; &argc
    lea  rdx, [rsp+0x38]          ; &argv
    lea  r8,  [rsp+0x40]          ; &envp
    xor  r9d, r9d                 ; no wildcard expansion
    mov  dword [rsp+0x28], 0      ; startupinfo.newmode = 0
    lea  rax, [rsp+0x28]
    mov  [rsp+0x20], rax          ; 5th argument: &startupinfo
    call [__getmainargs]
    mov  edx, [rsp+0x30]
    dec  edx                      ; argc - 1 arguments
    lea  rcx, [head]
    call [printf]                 ; "<name>> %d args\\n"
    mov  esi, 1                   ; esi is preserved across calls
  next:
    cmp  esi, [rsp+0x30]
    jge  done
    mov  rax, [rsp+0x38]
    mov  r8, [rax+rsi*8]          ; argv[i]
    mov  edx, esi
    lea  rcx, [line]
    call [printf]                 ; "<name>[%d]=%s\\n"
    inc  esi
    jmp  next
  done:
    mov  ecx, <exit code>
    call [exit]                   ; the runtime's exit flushes stdout
"""

from __future__ import annotations

import struct

IMAGE_BASE = 0x140000000
SECTION_RVA = 0x1000
FILE_ALIGN = 0x200
SECTION_ALIGN = 0x1000
IMPORTS = ("__getmainargs", "printf", "exit")


def _code(rc: int, at: int, head: int, line: int, iat: dict[str, int]) -> bytes:
    """The machine code placed at RVA ``at``; ``head``/``line`` are the RVAs of the formats, ``iat`` those of
    the import address table slots."""
    out = bytearray()

    def rip(target: int, size_after: int = 0) -> bytes:
        # rip-relative displacement: from the end of the instruction (4 bytes of displacement + size_after).
        return struct.pack("<i", target - (at + len(out) + 4 + size_after))

    def call(name: str) -> None:
        out.extend(b"\xff\x15")
        out.extend(rip(iat[name]))

    def lea_rcx(target: int) -> None:
        out.extend(b"\x48\x8d\x0d")
        out.extend(rip(target))

    out += bytes.fromhex("4883ec58")  # sub rsp, 0x58
    out += bytes.fromhex("488d4c2430")  # lea rcx, [rsp+0x30]
    out += bytes.fromhex("488d542438")  # lea rdx, [rsp+0x38]
    out += bytes.fromhex("4c8d442440")  # lea r8, [rsp+0x40]
    out += bytes.fromhex("4531c9")  # xor r9d, r9d
    out += bytes.fromhex("c744242800000000")  # mov dword [rsp+0x28], 0
    out += bytes.fromhex("488d442428")  # lea rax, [rsp+0x28]
    out += bytes.fromhex("4889442420")  # mov [rsp+0x20], rax
    call("__getmainargs")
    out += bytes.fromhex("8b542430")  # mov edx, [rsp+0x30]
    out += bytes.fromhex("ffca")  # dec edx
    lea_rcx(head)
    call("printf")
    out += bytes.fromhex("be01000000")  # mov esi, 1
    loop = len(out)
    out += bytes.fromhex("3b742430")  # cmp esi, [rsp+0x30]
    jge_at = len(out)
    out += b"\x7d\x00"  # jge done (patched below)
    out += bytes.fromhex("488b442438")  # mov rax, [rsp+0x38]
    out += bytes.fromhex("4c8b04f0")  # mov r8, [rax+rsi*8]
    out += bytes.fromhex("89f2")  # mov edx, esi
    lea_rcx(line)
    call("printf")
    out += bytes.fromhex("ffc6")  # inc esi
    out += b"\xeb" + struct.pack("<b", loop - (len(out) + 2))  # jmp next
    out[jge_at + 1] = len(out) - (jge_at + 2)
    out += b"\xb9" + struct.pack("<I", rc & 0xFFFFFFFF)  # mov ecx, rc
    call("exit")
    return bytes(out)


def standin_exe(name: str, rc: int = 0) -> bytes:
    """The bytes of ``<name>.exe``: prints its arguments as the C runtime splits them, exits with ``rc``."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"a plain program name, not {name!r}")
    # Section layout (one read/write/execute section at SECTION_RVA): code, formats, import tables.
    code_size = 0x80  # room for the code above (checked below)
    head_rva = SECTION_RVA + code_size
    head = f"{name}> %d args\n".encode() + b"\0"
    line_rva = head_rva + len(head)
    line = f"{name}[%d]=%s\n".encode() + b"\0"
    dll_rva = line_rva + len(line)
    dll = b"msvcrt.dll\0"
    names_rva = (dll_rva + len(dll) + 7) & ~7
    hint_names = b""
    name_rvas = []
    for imp in IMPORTS:
        name_rvas.append(names_rva + len(hint_names))
        entry = b"\0\0" + imp.encode() + b"\0"
        hint_names += entry + b"\0" * (len(entry) % 2)
    ilt_rva = (names_rva + len(hint_names) + 7) & ~7
    thunks = b"".join(struct.pack("<Q", r) for r in name_rvas) + b"\0" * 8
    iat_rva = ilt_rva + len(thunks)
    desc_rva = iat_rva + len(thunks)
    descriptor = struct.pack("<IIIII", ilt_rva, 0, 0, dll_rva, iat_rva) + b"\0" * 20
    end_rva = desc_rva + len(descriptor)

    iat = {imp: iat_rva + 8 * i for i, imp in enumerate(IMPORTS)}
    code = _code(rc, SECTION_RVA, head_rva, line_rva, iat)
    if len(code) > code_size:
        raise AssertionError("the code outgrew its room")
    body = bytearray(end_rva - SECTION_RVA)

    def put(rva: int, data: bytes) -> None:
        body[rva - SECTION_RVA : rva - SECTION_RVA + len(data)] = data

    put(SECTION_RVA, code)
    put(head_rva, head)
    put(line_rva, line)
    put(dll_rva, dll)
    put(names_rva, hint_names)
    put(ilt_rva, thunks)
    put(iat_rva, thunks)  # the loader overwrites these with the functions' addresses
    put(desc_rva, descriptor)
    raw_size = (len(body) + FILE_ALIGN - 1) & ~(FILE_ALIGN - 1)
    virtual_size = len(body)
    image_size = SECTION_RVA + ((virtual_size + SECTION_ALIGN - 1) & ~(SECTION_ALIGN - 1))

    dos = bytearray(0x40)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 0x40)  # e_lfanew
    coff = struct.pack(
        "<HHIIIHH",
        0x8664,  # AMD64
        1,  # one section
        0,
        0,
        0,
        0xF0,  # size of the PE32+ optional header
        0x0023,  # relocations stripped, executable, large address aware
    )
    data_dirs = [(0, 0)] * 16
    data_dirs[1] = (desc_rva, len(descriptor))  # imports
    data_dirs[12] = (iat_rva, len(thunks))  # import address table
    optional = struct.pack(
        "<HBBIIIII",
        0x20B,  # PE32+
        1,
        0,
        raw_size,  # size of code
        0,
        0,
        SECTION_RVA,  # entry point: the first byte of the code
        SECTION_RVA,  # base of code
    )
    optional += struct.pack(
        "<QIIHHHHHHIIIIHHQQQQII",
        IMAGE_BASE,
        SECTION_ALIGN,
        FILE_ALIGN,
        6,
        0,
        0,
        0,
        6,
        0,
        0,
        image_size,
        FILE_ALIGN,  # size of headers
        0,
        3,  # console subsystem
        0,
        0x100000,
        0x1000,
        0x100000,
        0x1000,
        0,
        16,
    )
    optional += b"".join(struct.pack("<II", rva, size) for rva, size in data_dirs)
    section = struct.pack(
        "<8sIIIIIIHHI",
        b".text",
        virtual_size,
        SECTION_RVA,
        raw_size,
        FILE_ALIGN,  # raw data right after the headers
        0,
        0,
        0,
        0,
        0xE0000060,  # code, initialised data, execute, read, write
    )
    headers = bytes(dos) + b"PE\0\0" + coff + optional + section
    headers += b"\0" * (FILE_ALIGN - len(headers))
    return headers + bytes(body) + b"\0" * (raw_size - len(body))
