"""Parsing (tests.lab.shell.parse): operators, blocks, carets, line ends, syntax errors."""

from __future__ import annotations

from tests.unit.lab.shell_harness import make_machine, recorder, run


def test_caret_escapes_outside_quotes_only():
    assert run("echo a^&b")[0] == "a&b\r\n"
    assert run('echo "a^&b"')[0] == '"a^&b"\r\n'
    assert run("echo a^^&echo b")[0] == "a^\r\nb\r\n"
    assert run("echo end^")[0] == "end\r\n"


def test_operator_precedence():
    m = make_machine(programs={"fail": recorder([], 1)})
    # && and || have one precedence and group from the left; & is weaker, | stronger
    assert run("fail || echo a && echo b", m)[0] == "a \r\nb\r\n"
    assert run("echo a || echo b && echo c", m)[0] == "a \r\nc\r\n"
    assert run("fail && echo a || echo b", m)[0] == "b\r\n"
    assert run("fail && echo a & echo b", m)[0] == "b\r\n"


def test_unexpected_operators():
    out, err, rc = run("& echo x")
    assert err == "& was unexpected at this time.\r\n"
    assert out == ""
    assert run("echo x && && echo y")[1] == "&& was unexpected at this time.\r\n"
    assert run("echo x &")[0] == "x \r\n"


def test_blocks():
    assert run("(echo a & echo b) & echo c")[0] == "a \r\nb\r\nc\r\n"
    assert run("echo a)")[0] == "a)\r\n"
    assert run("(echo a)b") == ("", "b was unexpected at this time.\r\n", 255)  # text after ")" is a syntax error


def test_closing_paren_outside_a_block_is_a_remark():
    assert run("echo a & ) echo b & echo c") == ("a \r\n", "", 0)


def test_parentheses_inside_a_block():
    assert run("(echo (x))")[0] == "(x\r\n"
    assert run('(echo "(x)")')[0] == '"(x)"\r\n'
    assert run("(echo a^)b)")[0] == "a)b\r\n"


def test_line_feed_ends_the_command_line():
    assert run("echo a\r\necho b") == ("a\r\n", "", 0)


def test_if_syntax_errors():
    assert run("if a== echo x") == ("", "", 0)  # compares "a" with "echo"
    out, err, rc = run("if a==")
    assert err == "The syntax of the command is incorrect.\r\n"
    assert rc == 255
    assert run("if exist")[1] == "The syntax of the command is incorrect.\r\n"


def test_at_sign_and_label_lines():
    assert run("@@ echo x")[0] == "x\r\n"
