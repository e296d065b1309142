"""Tests for oc_apidoctor.shop.phpconfig: reading define() constants without running PHP."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oc_apidoctor.errors import ConfigError
from oc_apidoctor.shop.phpconfig import MAX_CONFIG_BYTES, PhpDefines, parse_defines, read_defines
from tests.shops import REAL_CAPTURES_DIR

SHARED = REAL_CAPTURES_DIR

# shop folder -> HTTP port of the captured install (see ../shared/data/real-opencart/README.md)
REAL_SHOPS = {"oc23": 8023, "oc30": 8030, "oc30p": 8031, "oc35": 8035, "oc40": 8040, "oc41": 8041}


def php(body: str) -> PhpDefines:
    return parse_defines("<?php\n" + body, source="test.php")


# --- real config files captured from six OpenCart installs -------------------------------------


@pytest.fixture
def real_opencart() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared not present: real-capture tests need it")
    return SHARED


@pytest.mark.parametrize("shop", REAL_SHOPS)
@pytest.mark.parametrize("which", ["config.php", "admin/config.php"])
def test_real_config_db_constants_are_read(real_opencart: Path, shop: str, which: str) -> None:
    defines = read_defines(real_opencart / shop / which)

    assert defines.source == str(real_opencart / shop / which)
    assert defines.unresolved == {}
    assert defines.require("DB_DRIVER") == "mysqli"
    assert defines.require("DB_HOSTNAME") == "127.0.0.1"
    assert defines.require("DB_USERNAME") == "ocuser"
    assert defines.require("DB_PASSWORD") == "change-me"
    assert defines.require("DB_DATABASE") == shop
    assert defines.require("DB_PORT") == "3306"
    assert defines.require("DB_PREFIX") == ("shop_" if shop == "oc30p" else "oc_")


@pytest.mark.parametrize("shop", REAL_SHOPS)
@pytest.mark.parametrize("which", ["config.php", "admin/config.php"])
def test_real_config_dir_session_is_resolved_through_concatenation(
    real_opencart: Path, shop: str, which: str
) -> None:
    defines = read_defines(real_opencart / shop / which)

    if shop == "oc23":
        # 2.3 hard-codes every storage dir and has no DIR_STORAGE / DIR_SESSION at all.
        assert defines.get("DIR_SESSION") is None
        assert defines.get("DIR_STORAGE") is None
        assert defines.get("DIR_CACHE") == "/var/www/oc23/system/storage/cache/"
    else:
        assert defines.get("DIR_STORAGE") == f"/var/www/{shop}/system/storage/"
        assert defines.get("DIR_SESSION") == f"/var/www/{shop}/system/storage/session/"
        assert defines.get("DIR_LOGS") == f"/var/www/{shop}/system/storage/logs/"
    side = "admin" if which.startswith("admin") else "catalog"
    assert defines.get("DIR_APPLICATION") == f"/var/www/{shop}/{side}/"


@pytest.mark.parametrize("shop", REAL_SHOPS)
def test_real_admin_config_has_catalog_url_and_catalog_dir(real_opencart: Path, shop: str) -> None:
    port = REAL_SHOPS[shop]
    admin = read_defines(real_opencart / shop / "admin" / "config.php")

    assert admin.require("HTTP_SERVER") == f"http://127.0.0.1:{port}/admin/"
    assert admin.require("HTTP_CATALOG") == f"http://127.0.0.1:{port}/"
    assert admin.require("DIR_CATALOG") == f"/var/www/{shop}/catalog/"
    if shop in ("oc40", "oc41"):
        assert admin.get("HTTPS_CATALOG") is None  # 4.x writes HTTP_CATALOG only
        assert admin.require("APPLICATION") == "Admin"
    else:
        # Installed over plain http, so the HTTPS_ constant holds an http:// URL too.
        assert admin.require("HTTPS_CATALOG") == f"http://127.0.0.1:{port}/"


@pytest.mark.parametrize("shop", REAL_SHOPS)
def test_real_catalog_and_admin_configs_agree_on_the_database(
    real_opencart: Path, shop: str
) -> None:
    catalog = read_defines(real_opencart / shop / "config.php")
    admin = read_defines(real_opencart / shop / "admin" / "config.php")

    for name in ("DB_HOSTNAME", "DB_DATABASE", "DB_PREFIX", "DB_PORT"):
        assert catalog.require(name) == admin.require(name)
    assert catalog.require("HTTP_SERVER") == f"http://127.0.0.1:{REAL_SHOPS[shop]}/"
    first = "APPLICATION" if shop in ("oc40", "oc41") else "HTTP_SERVER"
    assert next(iter(catalog.values)) == first  # file order is kept


def test_real_oc41_commented_out_cache_defines_are_ignored(real_opencart: Path) -> None:
    defines = read_defines(real_opencart / "oc41" / "config.php")

    assert defines.get("CACHE_ENGINE") == "file"  # followed by a // comment on the same line
    assert defines.get("CACHE_PASSWORD") is None
    assert defines.get("CACHE_PORT") is None


# --- string literals ---------------------------------------------------------------------------


def test_single_quoted_value_is_read() -> None:
    assert php("define('DB_HOSTNAME', 'localhost');").values == {"DB_HOSTNAME": "localhost"}


def test_single_quoted_string_only_unescapes_backslash_and_quote() -> None:
    defines = php(r"define('A', 'it\'s a \\ b \n c \x41 \$');")

    assert defines.require("A") == "it's a \\ b \\n c \\x41 \\$"


def test_addslashes_password_keeps_backslash_before_double_quote_as_php_does() -> None:
    # The installer runs addslashes() and writes single quotes, where \" is NOT an escape:
    # PHP (and therefore the shop) sees the backslash as part of the password.
    defines = php("define('DB_PASSWORD', 'o\\'re\\\\il\\\"ly');")

    assert defines.require("DB_PASSWORD") == "o're\\il\\\"ly"


def test_double_quoted_value_is_read_with_php_escapes() -> None:
    defines = php(r'define("A", "1\n2\t3\r4\v5\e6\f7\\8\$9\"");')

    assert defines.require("A") == '1\n2\t3\r4\x0b5\x1b6\x0c7\\8$9"'


def test_double_quoted_octal_hex_and_unicode_escapes_are_decoded() -> None:
    defines = php(r'define("A", "\101\102\0|\x41\x4a|\u{e9}\u{1F600}|\400");')

    assert defines.require("A") == "AB\0|AJ|\u00e9\U0001f600|\0"


def test_double_quoted_hex_escapes_form_utf8_bytes_like_php() -> None:
    assert php(r'define("A", "caf\xc3\xa9");').require("A") == "café"


def test_double_quoted_unknown_escapes_stay_as_written() -> None:
    assert php(r'define("A", "\q \x \u \8 \{");').require("A") == r"\q \x \u \8 \{"


def test_double_quoted_dollar_without_a_name_is_literal() -> None:
    assert php('define("A", "cost $5 and $ alone");').require("A") == "cost $5 and $ alone"


@pytest.mark.parametrize("expr", ['"pass$suffix"', "\"{$config['x']}\"", '"a${b}"', '"x" . "$y"'])
def test_double_quoted_interpolation_makes_the_constant_unresolved(expr: str) -> None:
    defines = php(f"define('A', {expr});\ndefine('B', 'after');")

    assert defines.get("A") is None
    assert defines.unresolved == {"A": expr}
    assert defines.require("B") == "after"  # parsing continues


def test_invalid_unicode_escape_is_a_config_error_with_line() -> None:
    with pytest.raises(ConfigError, match=r"test\.php line 3: invalid \\u\{\.\.\.\} escape"):
        php('define("A", "ok");\ndefine("B", "\\u{110000}");')


# --- non-string values -------------------------------------------------------------------------


def test_int_db_port_from_a_hand_edit_reads_as_its_digits() -> None:
    assert php("define('DB_PORT', 3306);").require("DB_PORT") == "3306"


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("0", "0"),
        ("-1", "-1"),
        ("+7", "7"),
        ("1_000", "1000"),
        ("0x0CEA", "3306"),
        ("0b11", "3"),
        ("0o17", "15"),
        ("03306", "1734"),  # a leading zero is octal to PHP
        ("1.5", "1.5"),
        ("1.50", "1.5"),
        ("2.0", "2"),
        (".5", "0.5"),
        ("1e3", "1000"),
        ("1e20", "1.0E+20"),
        ("0.00001", "1.0E-5"),
        ("9223372036854775808", "9.2233720368548E+18"),  # overflows to float in PHP
        ("9" * 5000, "INF"),
        ("0x" + "f" * 300, "INF"),
    ],
)
def test_number_literals_read_as_php_prints_them(literal: str, value: str) -> None:
    assert php(f"define('N', {literal});").require("N") == value


def test_invalid_octal_literal_is_unresolved() -> None:
    assert php("define('N', 089);").unresolved == {"N": "089"}


@pytest.mark.parametrize(
    ("literal", "value"),
    [("true", "1"), ("TRUE", "1"), ("\\true", "1"), ("false", ""), ("False", ""), ("null", "")],
)
def test_true_false_null_read_as_php_strings(literal: str, value: str) -> None:
    assert php(f"define('B', {literal});").require("B") == value


# --- expressions -------------------------------------------------------------------------------


def test_concatenation_with_earlier_constant_is_evaluated_in_file_order() -> None:
    defines = php(
        "define('DIR_OPENCART', '/srv/shop/');\n"
        "define('DIR_SYSTEM', DIR_OPENCART . 'system/');\n"
        "define('DIR_STORAGE', DIR_SYSTEM . 'storage/');\n"
        "define('DIR_SESSION', DIR_STORAGE . 'session/');\n"
    )

    assert defines.require("DIR_SESSION") == "/srv/shop/system/storage/session/"
    assert list(defines.values) == ["DIR_OPENCART", "DIR_SYSTEM", "DIR_STORAGE", "DIR_SESSION"]


def test_concatenation_mixes_quotes_numbers_and_parentheses() -> None:
    defines = php(
        "define('HOST', \"db\");\n"
        "define('DSN', ('mysql:' . (HOST . ':')) . 3306 . \"/\" . \\HOST);\n"
    )

    assert defines.require("DSN") == "mysql:db:3306/db"


def test_deeply_nested_parentheses_do_not_overflow_the_stack() -> None:
    depth = 50_000
    defines = php(f"define('A', {'(' * depth}'x'{')' * depth});")

    assert defines.require("A") == "x"


def test_constant_used_before_its_define_is_unresolved() -> None:
    defines = php("define('A', B . '/x');\ndefine('B', '/b');")

    assert defines.unresolved == {"A": "B . '/x'"}
    assert defines.require("B") == "/b"


@pytest.mark.parametrize(
    "expr",
    [
        "getenv('DB_PASS')",
        "dirname(__FILE__) . '/system/'",
        "__DIR__ . '/'",
        "$password",
        "isset($_ENV['X']) ? $_ENV['X'] : 'y'",
        "'a' . strtolower('B')",
        "PHP_EOL",
        "Foo::BAR",
        "'a' . - 'b'",
        "'a' . ",
        "'a' 'b'",
        "`hostname`",
        "'3' + 4",
    ],
)
def test_expressions_we_cannot_evaluate_are_kept_raw_and_parsing_continues(expr: str) -> None:
    defines = php(f"define('X', {expr});\ndefine('Y', 'next');")

    assert defines.get("X") is None
    assert defines.unresolved == {"X": expr.strip()}
    assert defines.require("Y") == "next"


def test_constant_built_from_an_unresolved_constant_is_unresolved_too() -> None:
    defines = php(
        "define('DIR_SYSTEM', dirname(__FILE__) . '/system/');\n"
        "define('DIR_STORAGE', DIR_SYSTEM . 'storage/');\n"
    )

    assert defines.values == {}
    assert defines.unresolved == {
        "DIR_SYSTEM": "dirname(__FILE__) . '/system/'",
        "DIR_STORAGE": "DIR_SYSTEM . 'storage/'",
    }


def test_constant_name_may_itself_be_a_constant_expression() -> None:
    defines = php("define('DB_' . 'PREFIX', 'x_');\ndefine($name, 'skipped');")

    assert defines.values == {"DB_PREFIX": "x_"}
    assert defines.unresolved == {}


# --- first define wins -------------------------------------------------------------------------


def test_later_define_of_the_same_name_is_ignored_like_php() -> None:
    defines = php(
        "define('DB_PREFIX', 'oc_');\n"
        "define('DB_PREFIX', 'shop_');\n"
        "define('DB_PASSWORD', getenv('X'));\n"
        "define('DB_PASSWORD', 'literal');\n"
    )

    assert defines.require("DB_PREFIX") == "oc_"
    assert defines.get("DB_PASSWORD") is None
    assert defines.unresolved == {"DB_PASSWORD": "getenv('X')"}


# --- what is not a define ----------------------------------------------------------------------


def test_defines_inside_comments_are_ignored() -> None:
    defines = php(
        "// define('A', 'line');\n"
        "# define('B', 'hash');\n"
        "/* define('C', 'block');\n define('D', 'block'); */\n"
        "define('E', 'real'); // define('F', 'trailing')\n"
    )

    assert defines.values == {"E": "real"}


def test_defines_inside_other_string_literals_are_ignored() -> None:
    defines = php(
        "$s = \"define('A', 'x');\";\n"
        'echo \'define("B", "y");\';\n'
        "$h = <<<EOT\ndefine('C', 'z');\nEOT;\n"
        "$n = <<<'EOT'\n  define('D', 'w');\n  EOT;\n"
        "define('E', 'real');\n"
    )

    assert defines.values == {"E": "real"}


def test_heredoc_value_is_unresolved_and_unterminated_heredoc_is_an_error() -> None:
    defines = php("define('A', <<<EOT\nvalue\nEOT);\ndefine('B', 'b');")
    assert defines.unresolved == {"A": "<<<EOT\nvalue\nEOT"}
    assert defines.require("B") == "b"

    with pytest.raises(ConfigError, match=r"line 2: heredoc <<<EOT is never closed"):
        php("define('A', <<<EOT\nvalue\n")


def test_method_calls_and_declarations_named_define_are_not_defines() -> None:
    defines = php(
        "$obj->define('A', 'x');\n"
        "$obj?->define('A2', 'x');\n"
        "Foo::define('B', 'x');\n"
        "function define('C', 'x') {}\n"
        "if (defined('D')) { undefine('E', 'x'); }\n"
    )

    assert defines.values == {}


def test_text_outside_php_tags_is_ignored() -> None:
    defines = parse_defines(
        "define('HTML1', 'x');\n<?php define('A', 'a'); ?>\ndefine('HTML2', 'x');\n"
        "<?php\ndefine('B', 'b');"
    )

    assert defines.values == {"A": "a", "B": "b"}


def test_close_tag_inside_a_line_comment_ends_php_mode_like_php() -> None:
    defines = php("// note ?> define('A', 'html');\n<?php define('B', 'b');")

    assert defines.values == {"B": "b"}


def test_snippet_without_open_tag_is_read_as_php_code() -> None:
    assert parse_defines("define('A', 'a');").values == {"A": "a"}


def test_tolerates_bom_crlf_guards_case_whitespace_third_arg_and_other_statements() -> None:
    text = (
        "\ufeff<?php\r\n"
        "error_reporting(E_ALL);\r\n"
        "if (!defined('DIR_APPLICATION')) define('DIR_APPLICATION', '/a/');\r\n"
        "\r\n"
        "DEFINE (\r\n  'DB_HOSTNAME' ,\r\n  'db' ,\r\n  true\r\n) ;\r\n"
        "\\define('DB_PORT', '3307',);\r\n"
        "$x = array('define' => 1);\r\n"
        "?>\r\n"
    )

    defines = parse_defines(text)

    assert defines.values == {"DIR_APPLICATION": "/a/", "DB_HOSTNAME": "db", "DB_PORT": "3307"}


def test_unterminated_block_comment_hides_the_rest_of_the_file_like_php() -> None:
    defines = php("define('A', 'a');\n/* unfinished\ndefine('B', 'b');\n")

    assert defines.values == {"A": "a"}


def test_empty_text_gives_no_constants() -> None:
    defines = parse_defines("")

    assert defines.values == {}
    assert defines.unresolved == {}


# --- garbled input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("define('A', 'a');\ndefine('B', 'unterminated);\n", r"line 3: string literal .* never"),
        ('define("A", "a);', r"line 2: string literal starting with \" is never closed"),
        ("define('A', 'a');\n\ndefine('B',\n", r"line 4: define\( call is not closed"),
        ("define('A', 'a'; define('B', 'b');", r"line 2: define\( call is not closed"),
        ("define('A', ['a');", r"line 2: define\( call is not closed"),
        ("define('A');", r"line 2: define\(\) needs a name and a value"),
        ("define('A',, 'b');", r"line 2: define\(\) needs a name and a value"),
    ],
)
def test_garbled_input_raises_config_error_with_file_and_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"^test\.php " + message):
        php(text)


@pytest.mark.parametrize(
    "text",
    [
        "define('A', \"" + "\\n" * 200_000,  # unterminated string full of escapes
        "define('A', " + "(" * 200_000,
        "define('A', " + "'x' . " * 100_000 + "'y');",
        "/*" + "*" * 500_000,
        "<<<" + "A\n" * 200_000,
        "x" * 500_000 + "?>" + "<" * 300_000,
    ],
    ids=["escapes", "parens", "concat", "comment", "heredocs", "html"],
)
def test_pathological_input_is_parsed_in_linear_time(text: str) -> None:
    started = time.perf_counter()
    with contextlib.suppress(ConfigError):
        php(text)
    assert time.perf_counter() - started < 5


php_chars = st.sampled_from(list("'\"\\$(){}[].,;:?<>/#*-+=!0189abexuEXU_ \n\r\t") + ["define"])


@settings(deadline=None, max_examples=300)
@given(st.text())
def test_any_text_gives_defines_or_config_error(text: str) -> None:
    with contextlib.suppress(ConfigError):
        assert isinstance(parse_defines(text), PhpDefines)


@settings(deadline=None, max_examples=300)
@given(
    st.sampled_from(
        [
            "<?php define({}, 'v');",
            "<?php define('A', {});",
            "<?php\ndefine('A', 'a');\ndefine('B', {});\ndefine('C', B . {});",
            "<?php define('A', \"{}\");",
            "<?php define('A', '{}');",
            "<?php {} define('A', 'a'); ?>",
        ]
    ),
    st.lists(st.one_of(php_chars, st.text(max_size=5)), max_size=30).map("".join),
)
def test_text_inside_define_templates_gives_defines_or_config_error(
    template: str, fragment: str
) -> None:
    with contextlib.suppress(ConfigError):
        assert isinstance(parse_defines(template.replace("{}", fragment)), PhpDefines)


@settings(deadline=None, max_examples=300)
@given(st.text())
def test_any_string_round_trips_through_single_and_double_quoted_php(value: str) -> None:
    single = value.replace("\\", "\\\\").replace("'", "\\'")
    double = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")

    defines = php(f"define('S', '{single}');\ndefine('D', \"{double}\");")

    assert defines.values == {"S": value, "D": value}


@settings(deadline=None, max_examples=100)
@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_any_int_literal_reads_as_its_decimal_digits(number: int) -> None:
    assert php(f"define('N', {number});").require("N") == str(number)


# --- PhpDefines --------------------------------------------------------------------------------


def test_get_returns_none_for_a_missing_or_unresolved_constant() -> None:
    defines = php("define('A', getenv('A'));")

    assert defines.get("A") is None
    assert defines.get("B") is None


def test_require_of_a_missing_constant_names_the_file_and_constant() -> None:
    with pytest.raises(ConfigError, match=r"^test\.php does not define DB_PREFIX") as info:
        php("define('A', 'a');").require("DB_PREFIX")
    assert info.value.hint


def test_require_of_an_unresolved_constant_says_it_needs_php() -> None:
    defines = php("define('DB_PASSWORD', getenv('DB_PASS'));")

    with pytest.raises(ConfigError) as info:
        defines.require("DB_PASSWORD")

    message = info.value.message
    assert "DB_PASSWORD in test.php is computed by PHP code (getenv(…))" in message
    assert "cannot be read without running PHP" in message


def test_require_never_shows_the_expression_of_a_secret() -> None:
    defines = php("define('DB_PASSWORD', \"hunter2$suffix\"); define('DB_HOSTNAME', getenv('H'));")

    with pytest.raises(ConfigError) as secret:
        defines.require("DB_PASSWORD")
    with pytest.raises(ConfigError) as plain:
        defines.require("DB_HOSTNAME")

    assert "hunter2" not in str(secret.value)
    assert "(an expression)" in secret.value.message
    assert "(getenv('H'))" in plain.value.message


def test_require_shortens_a_long_unresolved_expression() -> None:
    defines = php("define('A', f(\n" + "'x' . " * 40 + "'y'));")

    with pytest.raises(ConfigError, match=r"\(f\( 'x' \. 'x' .{30,60}\.\.\.\) and cannot"):
        defines.require("A")


def test_constants_cannot_be_changed_after_parsing() -> None:
    defines = php("define('A', 'a');")

    with pytest.raises(TypeError):
        defines.values["A"] = "b"  # type: ignore[index]


def test_repr_redacts_secret_constants() -> None:
    defines = php(
        "define('DB_PASSWORD', 'hunter2');\n"
        "define('API_KEY', 'k3y');\n"
        "define('client_secret', 's3cret');\n"
        "define('AUTH_TOKEN', 't0ken');\n"
        "define('CACHE_PASSWORD', \"p$x\");\n"
        "define('DB_HOSTNAME', 'db.example');\n"
    )

    shown = repr(defines)

    for secret in ("hunter2", "k3y", "s3cret", "t0ken", "p$x"):
        assert secret not in shown
    assert shown.count("'***'") == 5
    assert "'DB_HOSTNAME': 'db.example'" in shown
    assert "test.php" in shown
    assert str(defines) == shown


# --- read_defines ------------------------------------------------------------------------------


def test_read_defines_reads_a_file_and_names_it_as_source(tmp_path: Path) -> None:
    path = tmp_path / "config.php"
    path.write_text("<?php\ndefine('DB_HOSTNAME', 'db');\n")

    defines = read_defines(str(path))

    assert defines.values == {"DB_HOSTNAME": "db"}
    assert defines.source == str(path)


def test_read_defines_decodes_non_utf8_files_as_latin1(tmp_path: Path) -> None:
    path = tmp_path / "config.php"
    path.write_bytes(b"<?php\ndefine('DIR_IMAGE', '/srv/caf\xe9/image/');\n")

    assert read_defines(path).require("DIR_IMAGE") == "/srv/café/image/"


def test_read_defines_strips_a_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "config.php"
    path.write_bytes("\ufeff<?php define('A', 'é');".encode())

    assert read_defines(path).values == {"A": "é"}


def test_read_defines_accepts_a_file_of_exactly_one_mib(tmp_path: Path) -> None:
    head = b"<?php define('A', 'a'); //"
    path = tmp_path / "config.php"
    path.write_bytes(head + b"x" * (MAX_CONFIG_BYTES - len(head)))

    assert read_defines(path).values == {"A": "a"}


def test_read_defines_of_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config.php does not exist") as info:
        read_defines(tmp_path / "nope" / "config.php")
    assert "config.php" in (info.value.hint or "")


def test_read_defines_of_a_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory, not a config.php"):
        read_defines(tmp_path)


def test_read_defines_of_a_fifo_is_a_config_error(tmp_path: Path) -> None:
    fifo = tmp_path / "config.php"
    os.mkfifo(fifo)

    with pytest.raises(ConfigError, match="is not a regular file"):
        read_defines(fifo)


def test_read_defines_of_an_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading")
    path = tmp_path / "config.php"
    path.write_text("<?php define('A', 'a');")
    path.chmod(0)

    with pytest.raises(ConfigError, match="permission denied"):
        read_defines(path)


def test_read_defines_of_a_binary_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.php"
    path.write_bytes(b"<?php define('A', 'a');\0\0")

    with pytest.raises(ConfigError, match="contains NUL bytes"):
        read_defines(path)


def test_read_defines_of_a_file_over_one_mib_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.php"
    path.write_bytes(b"<?php define('A', 'a'); //" + b"x" * MAX_CONFIG_BYTES)

    with pytest.raises(ConfigError, match="larger than 1 MiB: not a config.php"):
        read_defines(path)


def test_read_defines_of_an_empty_file_says_the_installer_has_not_run(tmp_path: Path) -> None:
    path = tmp_path / "config.php"
    path.write_bytes(b"")

    with pytest.raises(ConfigError, match="has no define") as info:
        read_defines(path)
    assert "installer has not run" in (info.value.hint or "")


def test_read_defines_of_php_without_defines_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.php"
    path.write_text("<?php\n// define('A', 'a');\n$config = [];\n")

    with pytest.raises(ConfigError, match="has no define.. calls: not an OpenCart config.php"):
        read_defines(path)


def test_read_defines_of_a_garbled_file_names_path_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.php"
    path.write_text("<?php\ndefine('A', 'a');\ndefine('B', 'cut")

    with pytest.raises(ConfigError, match=rf"^{path} line 3: string literal"):
        read_defines(path)
