# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/cmdline.py (cmd.exe quoting and builders) and validate.py."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd import cmdline
from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.cmdline import (
    CommandTooLongError,
    InputError,
    build_command,
    check_length,
    echo_to_file,
    fits,
    if_exist,
    join_commands,
    marker,
    pack_commands,
    quote_arg,
    rc_ladder,
    validate_label,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.validate import (
    APP_PATH_ALLOWED,
    host_arg,
    validate_app_path,
    validate_metabase_path,
    validate_site,
    validate_windows_path,
)

META = "&|<>()^"


def unquoted_parts(line: str) -> str:
    """The characters of a command line that cmd.exe sees outside double quotes."""
    out = []
    in_q = False
    for ch in line:
        if ch == '"':
            in_q = not in_q
            continue
        if not in_q:
            out.append(ch)
    assert not in_q, f"unbalanced quotes in {line!r}"
    return "".join(out)


# ---------------------------------------------------------------------------------------------- paths


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (r"C:\InetPub\wwwroot\bin\Shop.dll", r"C:\InetPub\wwwroot\bin\Shop.dll"),
        (r"c:\x.dll", r"c:\x.dll"),
        (r"D:\Program Files\Acme Corp\acme.dll", r"D:\Program Files\Acme Corp\acme.dll"),
        ("C:/InetPub/scripts/a.dll", r"C:\InetPub\scripts\a.dll"),
        (r"\\fileserver\drop\builds\Shop.dll", r"\\fileserver\drop\builds\Shop.dll"),
        ("//fileserver/drop/Shop.dll", r"\\fileserver\drop\Shop.dll"),
        (r"\\10.1.2.3\c$\x.dll", r"\\10.1.2.3\c$\x.dll"),
        (r"C:\a\con.txt.dll.bak\file", None),  # 'con.txt.dll.bak' base name is CON -> refused below
        (r"C:\a\console.dll", r"C:\a\console.dll"),
        (r"C:\a\com10.dll", r"C:\a\com10.dll"),
        (r"C:\a\lpt.dll", r"C:\a\lpt.dll"),
        (r"C:\.hidden\x", r"C:\.hidden\x"),
        (r"C:\a b\ c.dll", r"C:\a b\ c.dll"),
        (r"C:\a\b;c,d=e+f'g~h@i#j$k[l]m{n}o.dll", r"C:\a\b;c,d=e+f'g~h@i#j$k[l]m{n}o.dll"),
    ],
)
def test_valid_paths(value, expected):
    if expected is None:
        with pytest.raises(InputError, match="reserved device name CON"):
            validate_windows_path(value, "src")
    else:
        assert validate_windows_path(value, "src") == expected


@pytest.mark.parametrize("name", ["C:\\InetPub\\R&D\\bin\\x.dll", "C:\\InetPub\\Shop (old)\\x.dll"])
def test_path_accepts_names_real_folders_have(name):
    assert validate_windows_path(name, "dest") == name
    assert quote_arg(name) == f'"{name}"'


def test_echo_text_escapes_what_cmd_would_act_on():
    from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.cmdline import echo_text

    assert echo_text("dest=C:\\InetPub\\R&D\\(old)\\x.dll") == "dest=C:\\InetPub\\R^&D\\^(old^)\\x.dll"
    with pytest.raises(InputError):
        echo_text('a"b')


@pytest.mark.parametrize("ch", list('%!^|<>"'))
def test_path_rejects_each_cmd_metacharacter(ch):
    with pytest.raises(InputError) as exc:
        validate_windows_path(f"C:\\dir\\a{ch}b.dll", "dest")
    assert exc.value.name == "dest"
    assert repr(ch) in str(exc.value)
    assert str(exc.value).startswith("dest: ")


@pytest.mark.parametrize("ch", list('*?:|<>"'))
def test_path_rejects_nt_invalid_characters(ch):
    with pytest.raises(InputError, match=r"dest: .*contains"):
        validate_windows_path(f"C:\\dir\\a{ch}b.dll", "dest")


@pytest.mark.parametrize("code", [0, 1, 9, 10, 13, 27, 31, 127])
def test_path_rejects_control_characters(code):
    with pytest.raises(InputError, match="control character"):
        validate_windows_path(f"C:\\dir\\a{chr(code)}b.dll", "dest")


def test_path_rejects_non_ascii():
    with pytest.raises(InputError, match="non-ASCII"):
        validate_windows_path("C:\\dir\\caf\u00e9.dll", "dest")


@pytest.mark.parametrize(
    "value",
    [r"C:\dir.\x.dll", r"C:\dir \x.dll", r"C:\dir\x.dll.", r"C:\dir\x.dll ", r"C:\dir\x.dll...", r"C:\a.\b"],
)
def test_path_rejects_trailing_dot_or_space(value):
    with pytest.raises(InputError, match="ends with a (dot|space)|leading or trailing spaces"):
        validate_windows_path(value, "dest")


@pytest.mark.parametrize(
    "value",
    ["x.dll", r"dir\x.dll", r"\dir\x.dll", r"C:x.dll", r"C:dir\x.dll", r".\x.dll", r"..\x.dll", "bin/x.dll"],
)
def test_path_rejects_relative(value):
    with pytest.raises(InputError, match="not an absolute path|drive-relative"):
        validate_windows_path(value, "src")


@pytest.mark.parametrize("value", [r"C:\a\..\x.dll", r"C:\a\.\x.dll", r"C:\a\\x.dll"])
def test_path_rejects_dot_components_and_doubled_separators(value):
    with pytest.raises(InputError):
        validate_windows_path(value, "src")


@pytest.mark.parametrize(
    "name",
    ["CON", "con", "PRN", "AUX", "NUL", "nul.dll", "COM1", "com9.txt", "LPT1", "Lpt9", "CLOCK$", "con .txt"],
)
def test_path_rejects_device_names(name):
    with pytest.raises(InputError, match="reserved device name"):
        validate_windows_path(f"C:\\dir\\{name}", "dest")
    with pytest.raises(InputError, match="reserved device name"):
        validate_windows_path(f"C:\\{name}\\x.dll", "dest")


def test_path_length_limit():
    base = "C:\\" + "\\".join(["a" * 50] * 4) + "\\"
    ok = base + "b" * (259 - len(base))
    assert len(ok) == 259
    assert validate_windows_path(ok, "dest") == ok
    with pytest.raises(InputError, match="260 characters long; NT 4 allows at most 259"):
        validate_windows_path(ok + "c", "dest")
    with pytest.raises(InputError, match="at most 200"):
        validate_windows_path(ok, "dest", max_length=200)


def test_unc_rules():
    assert validate_windows_path(r"\\srv\share\x.dll", "src") == r"\\srv\share\x.dll"
    with pytest.raises(InputError, match="UNC paths"):
        validate_windows_path(r"\\srv\share\x.dll", "dest", allow_unc=False)
    with pytest.raises(InputError, match="needs a share"):
        validate_windows_path(r"\\srv", "src")
    with pytest.raises(InputError, match="needs a share"):
        validate_windows_path("\\\\srv\\", "src")
    with pytest.raises(InputError, match="not a file"):
        validate_windows_path(r"\\srv\share", "src")
    assert validate_windows_path(r"\\srv\share", "src", must_be_file=False) == r"\\srv\share"
    for bad in [r"\\?\C:\x.dll", r"\\.\PhysicalDrive0\x", r"\\bad server\s\x", r"\\srv.\s\x"]:
        with pytest.raises(InputError):
            validate_windows_path(bad, "src")


def test_directories_and_roots():
    assert validate_windows_path("C:\\InetPub\\", "d", must_be_file=False) == r"C:\InetPub"
    assert validate_windows_path("C:\\", "d", must_be_file=False) == "C:\\"
    assert validate_windows_path("C:/", "d", must_be_file=False) == "C:\\"
    with pytest.raises(InputError, match="ends with a backslash"):
        validate_windows_path("C:\\InetPub\\", "d")
    with pytest.raises(InputError, match="drive root"):
        validate_windows_path("C:\\", "d")


@pytest.mark.parametrize("value", [None, 5, b"C:\\x.dll", ["C:\\x"], ""])
def test_path_rejects_non_strings_and_empty(value):
    with pytest.raises(InputError):
        validate_windows_path(value, "src")


def test_path_rejects_outer_spaces():
    with pytest.raises(InputError, match="leading or trailing spaces"):
        validate_windows_path(" C:\\x.dll", "src")


def test_input_error_is_value_error():
    err = InputError("src", "bad")
    assert isinstance(err, ValueError)
    assert (err.name, err.message, str(err)) == ("src", "bad", "src: bad")


# ---------------------------------------------------------------------------------------------- metabase


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/", "/"),
        ("", None),
        ("Shop", "/Shop"),
        ("/Shop", "/Shop"),
        ("/Shop/", "/Shop"),
        ("/Shop/Admin", "/Shop/Admin"),
        ("\\Shop\\Admin", "/Shop/Admin"),
        ("/My Shop/Old-App_2", "/My Shop/Old-App_2"),
        ("/Shop//Admin", None),
        ("/Shop/../Admin", None),
        ("/Shop/./Admin", None),
        ("/Shop /Admin", None),
        ("/Shop./Admin", None),
        ("/Sh:op", None),
        ("/Sh*op", None),
        ("/Sh?op", None),
    ],
)
def test_validate_app_path(value, expected):
    if expected is None:
        with pytest.raises(InputError, match="^app_path: "):
            validate_app_path(value)
    else:
        assert validate_app_path(value) == expected


@pytest.mark.parametrize("ch", list('%!^|<>"'))
def test_app_path_rejects_metacharacters(ch):
    with pytest.raises(InputError) as exc:
        validate_app_path(f"/Shop{ch}x")
    assert repr(ch) in str(exc.value)


@pytest.mark.parametrize("name", ["/R&D", "/Shop (old)", "/My Shop/(x)&y"])
def test_app_path_allows_what_real_applications_are_named(name):
    assert validate_app_path(name) == name


def test_host_values_are_quoted_or_refused_clearly():
    assert host_arg("W3SVC/1/ROOT/R&D", "the key") == '"W3SVC/1/ROOT/R&D"'
    with pytest.raises(InputError, match="cannot be written on a cmd.exe command line") as exc:
        host_arg("W3SVC/1/ROOT/100%", "the key")
    assert exc.value.name == "application"


def test_app_path_keeps_case():
    assert validate_app_path("/SHOP/admin") == "/SHOP/admin"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/LM/W3SVC/1/ROOT/Shop", "W3SVC/1/ROOT/Shop"),
        ("LM/W3SVC/1/Root", "W3SVC/1/Root"),
        ("/lm/w3svc/1", "w3svc/1"),
        ("/W3SVC/1/", "W3SVC/1"),
        ("W3SVC\\1\\Root", "W3SVC/1/Root"),
        ("W3SVC", "W3SVC"),
        ("/LM", None),
        ("/", None),
        ("W3SVC/1/Root/../x", None),
        ("W3SVC/1/Root&calc", None),
        ("W3SVC/1/Ro%PATH%ot", None),
    ],
)
def test_validate_metabase_path(value, expected):
    if expected is None:
        with pytest.raises(InputError):
            validate_metabase_path(value)
    else:
        assert validate_metabase_path(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1),
        ("1", 1),
        ("12", 12),
        (4294967295, 4294967295),
        ("Default Web Site", "Default Web Site"),
        ("Web Site (Shop & Co), main", "Web Site (Shop & Co), main"),
    ],
)
def test_validate_site_ok(value, expected):
    assert validate_site(value) == expected


@pytest.mark.parametrize(
    "value",
    [0, -1, 4294967296, True, None, "", " Shop", "Shop ", 'Sh"op', "Shop | Co", "Shop%x%", "A<b>", "A^b", "x\ny"],
)
def test_validate_site_rejects(value):
    with pytest.raises(InputError, match="^site: "):
        validate_site(value)


# ---------------------------------------------------------------------------------------------- quoting


def test_quote_arg_basic():
    assert quote_arg(r"C:\Program Files\x.dll") == r'"C:\Program Files\x.dll"'
    assert quote_arg("W3SVC/1/ROOT/My App") == '"W3SVC/1/ROOT/My App"'
    assert quote_arg("") == '""'


def test_quote_arg_trailing_backslash():
    assert quote_arg("C:\\") == '"C:\\."'
    assert quote_arg("C:\\dir\\") == '"C:\\dir\\."'


@pytest.mark.parametrize("bad", ['a"b', "a%b", "a!b", "a\nb", "a\rb", "a\0b", "a\tb"])
def test_quote_arg_refuses(bad):
    with pytest.raises(InputError):
        quote_arg(bad)


def test_build_command():
    src = quote_arg(validate_windows_path(r"C:\stage\new shop.dll", "src"))
    dest = quote_arg(validate_windows_path(r"C:\InetPub\bin\shop.dll", "dest"))
    line = build_command("copy", "/y", src, dest, None, "", "2>&1")
    assert line == r'copy /y "C:\stage\new shop.dll" "C:\InetPub\bin\shop.dll" 2>&1'
    assert build_command("net", "stop", "IISADMIN", "/y") == "net stop IISADMIN /y"
    assert build_command("cscript", "//nologo", r"C:\WINNT\system32\inetsrv\adminsamples\adsutil.vbs") == (
        r"cscript //nologo C:\WINNT\system32\inetsrv\adminsamples\adsutil.vbs"
    )


@pytest.mark.parametrize(
    "token",
    ["a&b", "a b", "x|y", "(x)", "a^b", "%PATH%", '"a"b"', '"a%b"', "a>b", "2>&2", ">>x", "a=b", "a,b", 5],
)
def test_build_command_refuses_unsafe_tokens(token):
    with pytest.raises(InputError):
        build_command("echo", token)


def test_build_command_empty():
    with pytest.raises(InputError):
        build_command(None, "")


def test_join_commands():
    assert join_commands(["a", "b", "", "c"]) == "a&b&c"
    assert join_commands(["a", "b"], "&&") == "a&&b"
    assert join_commands(["a", "b"], "||") == "a||b"
    with pytest.raises(ValueError):
        join_commands(["a"], "|")
    with pytest.raises(InputError):
        join_commands(["a\r\nb"])


def test_if_exist():
    p = quote_arg(r"C:\InetPub\x.dll")
    assert if_exist(p, "echo @@yes") == r'(if exist "C:\InetPub\x.dll" (echo @@yes))'
    assert if_exist(p, "echo y", "echo n") == r'(if exist "C:\InetPub\x.dll" (echo y) else (echo n))'
    assert if_exist(p, "echo gone", negate=True) == r'(if not exist "C:\InetPub\x.dll" (echo gone))'
    with pytest.raises(InputError):
        if_exist(r"C:\x.dll", "echo y")


def test_length_checks():
    line = "x" * 2047
    assert check_length(line) == line
    assert fits(line)
    assert not fits(line + "x")
    with pytest.raises(CommandTooLongError) as exc:
        check_length(line + "x")
    assert (exc.value.length, exc.value.limit) == (2048, 2047)
    assert check_length("y" * 8191, limit=cmdline.CMD_LINE_LIMIT_XP)
    with pytest.raises(CommandTooLongError):
        check_length("y" * 8192, limit=8191)


def test_pack_commands():
    cmds = ["a" * 10, "b" * 10, "c" * 10, "d" * 5]
    assert pack_commands(cmds, limit=21) == ["a" * 10 + "&" + "b" * 10, "c" * 10 + "&" + "d" * 5]
    assert pack_commands(cmds, limit=1000) == ["&".join(cmds)]
    assert pack_commands([], limit=10) == []
    for line in pack_commands(cmds * 20, limit=50):
        assert len(line) <= 50
    with pytest.raises(CommandTooLongError):
        pack_commands(["x" * 30], limit=20)


# ---------------------------------------------------------------------------------------------- markers


def test_marker():
    assert marker("src_exists") == "echo @@src_exists"
    assert marker("a.b-c") == "echo @@a.b-c"
    for bad in ["", "a b", "a&b", "rc", "x" * 65, "é", None]:
        with pytest.raises(InputError):
            marker(bad)
    assert validate_label("ok") == "ok"


def test_rc_ladder():
    assert rc_ladder("stop", 2) == "(if errorlevel 1 echo @@rc stop 1)&(if errorlevel 2 echo @@rc stop 2)"
    assert rc_ladder("sc", [1060, 1, 1061]) == (
        "(if errorlevel 1 echo @@rc sc 1)&(if errorlevel 1060 echo @@rc sc 1060)&(if errorlevel 1061 echo @@rc sc 1061)"
    )
    assert rc_ladder("ads", 1, negative=True) == (
        "(if not errorlevel 0 echo @@rc ads -1)&(if errorlevel 1 echo @@rc ads 1)"
    )
    for bad in [0, -1, [], [0], [1, -2], True]:
        with pytest.raises(ValueError):
            rc_ladder("x", bad)
    with pytest.raises(InputError):
        rc_ladder("rc", 1)


def test_ladder_line_has_no_unbalanced_parentheses():
    line = join_commands(["net stop W3SVC 2>&1", rc_ladder("stop", 2), marker("next")])
    depth = 0
    for ch in line:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
    assert " &" not in line and "& " not in line


# ---------------------------------------------------------------------------------------------- batch files


def test_echo_to_file():
    path = quote_arg(r"C:\TEMP\iis4 swap.cmd")
    assert echo_to_file("@echo off", path) == r'(echo @echo off)>>"C:\TEMP\iis4 swap.cmd"'
    line = 'copy /y "C:\\a (1)\\x.dll" "C:\\b\\x.dll" 2>&1&(if errorlevel 1 echo @@rc copy 1)'
    out = echo_to_file(line, path, append=False)
    assert out == (
        '(echo copy /y "C:\\a (1)\\x.dll" "C:\\b\\x.dll" 2^>^&1^&^(if errorlevel 1 echo @@rc copy 1^))'
        '>"C:\\TEMP\\iis4 swap.cmd"'
    )
    for bad in ["", "off", " ON ", "/?", "a%b", 'a"b', "a\nb"]:
        with pytest.raises(InputError):
            echo_to_file(bad, path)
    with pytest.raises(InputError):
        echo_to_file("x", r"C:\x")


# ---------------------------------------------------------------------------------------------- properties


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x7F), min_size=1, max_size=40))
def test_quoted_paths_never_expose_metacharacters(tail):
    try:
        path = validate_windows_path("C:\\dir\\" + tail, "dest")
    except InputError:
        return
    line = build_command("copy", "/y", quote_arg(path), quote_arg(r"C:\b\x.dll"))
    outside = unquoted_parts(line)
    assert not any(ch in outside for ch in META + "%!")
    assert "%" not in line and "!" not in line
    assert line.count('"') == 4


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=30))
def test_validated_names_never_contain_metacharacters(text):
    """Application paths and site names may hold ``& ( )`` (only ever quoted); nothing validated holds another
    metacharacter, and
    every validated value quotes into one region cmd.exe sees nothing special in."""
    for fn in (validate_app_path, validate_metabase_path, validate_site):
        try:
            value = fn(text)
        except InputError:
            continue
        allowed = APP_PATH_ALLOWED if fn in (validate_app_path, validate_site) else ""
        assert not any(ch in str(value) for ch in cmdline.CMD_METACHARACTERS if ch not in allowed)
        quoted = quote_arg(str(value))
        assert unquoted_parts(quoted) == ""


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=40))
def test_echo_to_file_escapes_everything_outside_quotes(text):
    try:
        out = echo_to_file(text, '"C:\\t.cmd"')
    except InputError:
        return
    body = out[len("(echo ") : out.rindex(")>>")]
    in_q = False
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == '"':
            in_q = not in_q
        elif not in_q and ch == "^":
            i += 2
            continue
        elif not in_q:
            assert ch not in META
        i += 1
    assert not in_q
