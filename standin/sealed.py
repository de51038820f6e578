"""Secret properties in the stand-in's state file, sealed as Pulumi's secrets providers seal
them in a checkpoint.

The engine marks a resource property secret when the program registered it as a secret
input (an OIDC client secret), and the outputs of that name or named by the resource's
``additional_secret_outputs`` (an access key's ``cleartext``); Pulumi then stores them
encrypted by the stack's secrets provider. The stand-in does the same with a key of its own:
`seal` replaces each such value of a state document (`standin.snapshot.StackState.to_json`:
resources and pending operations, ``secretProperties`` naming them) with
``{"sealed": <Fernet token>}`` (AES-128-CBC and HMAC-SHA256, `cryptography`), and `unseal`
puts it back. The key is a file beside the state, ``standin-<stack>.key`` (mode 0600, made
when a first secret is sealed): like ``make demo``'s empty passphrase for the local backend,
it keeps secrets out of the state's text (a state file shown, attached or committed by
mistake reveals none), not from someone who can read the folder.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from standin.errors import StandinError

SEALED = "sealed"
"""The key of a sealed value: ``{"sealed": "<token>"}``."""


def key_file(state_file: Path) -> Path:
    """The key beside `state_file`: ``standin-<stack>.key``."""
    return state_file.with_suffix(".key")


def _key(path: Path, *, create: bool) -> Fernet | None:
    """The key in `path`; made (mode 0600, atomically) when `create` and there is none."""
    if create and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # made by another writer meanwhile: use it
        else:
            with os.fdopen(descriptor, "wb") as out:
                out.write(Fernet.generate_key())
                out.flush()
                os.fsync(out.fileno())
    try:
        return Fernet(path.read_bytes().strip())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise StandinError(
            f"The stand-in's key {path} is not usable ({exc}). It seals the secrets in the "
            "state beside it; if it is lost, delete that state too (the next run then takes "
            "over what Descope holds)."
        ) from None


def _parts(document: dict[str, Any]) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """Each inputs or outputs mapping of the document's entries that have secret properties,
    with their names; each a copy put in its entry's place (the entries are the document's
    own, their mappings may be the state's)."""
    for entry in [*document.get("resources", []), *document.get("pendingOperations", [])]:
        names = [str(n) for n in entry.get("secretProperties") or []]
        if not names:
            continue
        for part in ("inputs", "outputs"):
            values = entry.get(part)
            if isinstance(values, dict):
                entry[part] = values = dict(values)
                yield values, names


def seal(document: dict[str, Any], key_path: Path) -> dict[str, Any]:
    """`document` (`StackState.to_json`: fresh entries) with every secret property's value
    sealed; the mappings it changes are copies. The key is made when a first secret needs it."""
    targets = [
        (values, name)
        for values, names in _parts(document)
        for name in names
        if values.get(name) is not None
    ]
    if not targets:
        return document
    fernet = _key(key_path, create=True)
    assert fernet is not None  # made above
    for values, name in targets:
        plain = json.dumps(values[name], sort_keys=True).encode()
        values[name] = {SEALED: fernet.encrypt(plain).decode("ascii")}
    return document


def unseal(document: dict[str, Any], state_file: Path) -> dict[str, Any]:
    """`document` (read from `state_file`) with its sealed values opened, with the key beside
    it; a `StandinError` naming the key when it is missing or is not the one that sealed them."""
    key_path = key_file(state_file)
    fernet: Fernet | None = None
    for values, names in _parts(document):
        for name in names:
            value = values.get(name)
            if not (isinstance(value, dict) and set(value) == {SEALED}):
                continue
            fernet = fernet or _key(key_path, create=False)
            if fernet is None:
                raise StandinError(
                    f"The stand-in's state {state_file} holds sealed secrets, and their key "
                    f"{key_path} is missing. Put the key back, or delete the state to start "
                    "over (the next run then takes over what Descope holds)."
                )
            try:
                values[name] = json.loads(fernet.decrypt(str(value[SEALED]).encode()))
            except (InvalidToken, ValueError):
                raise StandinError(
                    f"The stand-in's state {state_file} holds secrets its key {key_path} did "
                    "not seal (a key of another state?). Put the right key back, or delete the "
                    "state to start over."
                ) from None
    return document
