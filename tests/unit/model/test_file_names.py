"""Ids that become file names, and paths that must stay in their folder (`model.filenames`)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from model.filenames import (
    MAX_NAME_BYTES,
    OutsideFolder,
    file_name_problem,
    file_name_problems,
    name_part,
    path_inside,
    same_file_names,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("", "is empty."),
        (".", 'starts with ".": "." and ".." name folders'),
        ("..", 'starts with ".": "." and ".." name folders'),
        ("..json", 'starts with "."'),
        ("../../outside/PWN.json", 'contains "/", which separates folders in a path.'),
        ("/etc/passwd", 'contains "/"'),
        ("a/../...json", 'contains "/"'),
        ("a\\b.json", 'contains "\\", which separates folders in a path.'),
        ("C:\\x.json", 'contains "\\"'),
        ("a\x00b.json", "contains U+0000 (NUL), which a file name cannot hold."),
        ("a\nb.json", "contains U+000A (LINE FEED)"),
        ("a\x1b[2J.json", "contains U+001B (ESCAPE)"),
        ("a\u202eb.json", "contains U+202E"),
        ("a:b.json", 'contains ":", which Windows does not accept'),
        ("a?.json", 'contains "?"'),
        ("flow.", "ends with a space or a dot"),
        ("flow ", "ends with a space or a dot"),
        ("CON.json", 'is "CON", a name Windows reserves for a device.'),
        ("nul.json", 'is "nul", a name Windows reserves'),
        ("com1", 'is "com1"'),
        ("é" * 126 + ".json", "is 257 bytes long in UTF-8; a file name holds at most 255 bytes."),
    ],
)
def test_a_name_that_is_not_a_plain_file_name_is_refused(name: str, expected: str) -> None:
    problem = file_name_problem(name)
    assert problem is not None
    assert expected in problem


@pytest.mark.parametrize(
    "name",
    [
        "login.json",
        "sign-up-or-in.json",
        "a..b.json",
        "console.json",
        "con-flow.json",
        "Café.json",
        "x" * (MAX_NAME_BYTES - 5) + ".json",
    ],
)
def test_a_plain_file_name_is_accepted(name: str) -> None:
    assert file_name_problem(name) is None


def test_names_equal_but_for_case_or_unicode_form_are_one_file() -> None:
    names = ["Sign-Up.json", "sign-up.json", "login.json", "Caf\u00e9", "Cafe\u0301"]
    groups = same_file_names(names)
    assert groups == [["Sign-Up.json", "sign-up.json"], ["Caf\u00e9", "Cafe\u0301"]]


def test_file_name_problems_name_each_holder_and_each_collision() -> None:
    lines = file_name_problems(
        {
            'flow "../x"': "../x.json",
            'flow "Sign-Up"': "Sign-Up.json",
            'flow "sign-up"': "sign-up.json",
            'flow "Login"': "Login.json",
            'flow "ok"': "ok.json",
        },
        beside={'flow "login"': "login.json", 'flow "A"': "A.json", 'flow "a"': "a.json"},
    )
    assert lines == [
        'flow "../x": its file name "../x.json" contains "/", which separates folders in a path.',
        'flow "Sign-Up" and flow "sign-up": their file names "Sign-Up.json" and "sign-up.json" '
        "differ only in case (or Unicode form), so a case-insensitive file system (macOS, "
        "Windows) keeps them as one file.",
        'flow "Login" and flow "login": their file names "Login.json" and "login.json" differ '
        "only in case (or Unicode form), so a case-insensitive file system (macOS, Windows) "
        "keeps them as one file.",
    ]  # the collision among the names already in use ("A", "a") is not this change's to report


def test_a_name_with_a_control_character_is_shown_escaped() -> None:
    (line,) = file_name_problems({"flow": "a\x1b]0;x\x07.json"})
    assert "\x1b" not in line
    assert '"a\\x1b]0;x\\x07.json"' in line


@pytest.mark.parametrize(
    "resource_id", ["acme", "../../etc/x", "a/b", "a\\b", ".", "..", "a\x00b", "%41", "é/ü", "CON"]
)
def test_name_part_is_a_plain_reversible_part(resource_id: str) -> None:
    part = name_part(resource_id)
    assert file_name_problem(f"20250101T000000Z-tenant-{part}-delete.json") is None
    assert not part.startswith(".")
    assert unquote(part) == resource_id


def test_name_part_keeps_plain_ids_and_writes_the_empty_id() -> None:
    assert name_part("sign-up_or.in") == "sign-up_or.in"
    assert name_part("") == "_"


def test_a_long_name_part_is_cut_with_a_digest_and_stays_distinct() -> None:
    first, second = name_part("é" * 300), name_part("é" * 299 + "e")
    assert len(first) <= 80
    assert first != second
    for cut in (name_part(x + "é" * 300) for x in ("", "a", "ab")):  # every cut position
        assert re.fullmatch(r"(?:[A-Za-z0-9._-]|%[0-9A-F]{2})+~[0-9a-f]{12}", cut)
    assert file_name_problem(f"{first}.json") is None


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("../outside.json", 'climbs out of the folder with "..".'),
        ("a/../../outside.json", 'climbs out of the folder with "..".'),
        ("a/../..", 'climbs out of the folder with "..".'),
        ("/etc/passwd", "is an absolute path"),
        ("C:\\x.json", "is an absolute path"),
        ("\\\\server\\share\\x.json", "is an absolute path"),
        ("x\x00.json", "contains NUL"),
    ],
)
def test_a_path_leading_outside_its_folder_is_refused(
    tmp_path: Path, relative: str, expected: str
) -> None:
    with pytest.raises(OutsideFolder) as info:
        path_inside(tmp_path / "flows", relative)
    assert expected in str(info.value)


def test_a_path_inside_its_folder_is_joined_as_written(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    assert path_inside(flows, "login.json") == flows / "login.json"
    assert path_inside(flows, "sub/../login.json") == flows / "sub/../login.json"
    assert path_inside(flows, "new/folder/x.json") == flows / "new/folder/x.json"


def test_a_symbolic_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    flows, outside = tmp_path / "flows", tmp_path / "outside"
    flows.mkdir()
    outside.mkdir()
    (flows / "login.json").symlink_to(outside / "login.json")
    (flows / "shared").symlink_to(outside)
    for relative in ("login.json", "shared/x.json"):
        with pytest.raises(OutsideFolder) as info:
            path_inside(flows, relative)
        assert "leads outside the folder through a symbolic link" in str(info.value)


def test_a_linked_folder_and_links_inside_it_are_accepted(tmp_path: Path) -> None:
    real = tmp_path / "real-flows"
    (real / "sub").mkdir(parents=True)
    (tmp_path / "flows").symlink_to(real)
    (real / "alias.json").symlink_to(real / "sub" / "x.json")
    assert path_inside(tmp_path / "flows", "alias.json") == tmp_path / "flows" / "alias.json"
    assert os.path.realpath(tmp_path / "flows" / "alias.json") == str(real / "sub" / "x.json")


def test_a_link_target_is_shown_escaped(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "login.json").symlink_to(tmp_path / "\x1b[2J.json")
    with pytest.raises(OutsideFolder) as info:
        path_inside(flows, "login.json")
    assert "\x1b" not in str(info.value)
    assert f"(to {tmp_path}/\\x1b[2J.json)" in str(info.value)
