"""Credentials never travel through qskew: refused in configs, masked in messages.

IBM credentials come from the environment (``QISKIT_IBM_TOKEN``) or the
provider's saved account (``QiskitRuntimeService.save_account``); a token in a
config file or ``backend_options`` would be written to results folders, logs
and error messages. Keys that look like credentials are therefore refused in
configs and ``--set``, and masked wherever options are shown.
"""

import re

#: Option names that hold credentials (matched case-insensitively, ``-`` or ``_`` ignored).
_CREDENTIAL = re.compile(
    r"(token|api_?key|apikey|password|passwd|secret|credential|access_?key|private_?key|"
    r"auth)", re.IGNORECASE)
MASK = "***"


def is_credential(key):
    """Whether an option name looks like it holds a credential.

    Examples
    --------
    >>> is_credential("token"), is_credential("API-Key"), is_credential("shots")
    (True, True, False)
    """
    return bool(_CREDENTIAL.search(str(key).replace("-", "_")))


def redacted(value):
    """``value`` with the values of credential-like keys masked, at any depth.

    Examples
    --------
    >>> redacted({"backend": "FakeManilaV2", "token": "abc"})
    {'backend': 'FakeManilaV2', 'token': '***'}
    """
    if isinstance(value, dict):
        return {k: (MASK if is_credential(k) else redacted(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redacted(v) for v in value)
    return value


def credential_paths(value, prefix=""):
    """Dotted paths of every credential-like key in a nested config.

    Examples
    --------
    >>> credential_paths({"models": {"qsvc": {"backend_options": {"token": "x"}}}})
    ['models.qsvc.backend_options.token']
    """
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}{key}"
            if is_credential(key):
                found.append(path)
            found += credential_paths(item, path + ".")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found += credential_paths(item, f"{prefix}{i}.")
    return found


def refuse_credentials(config, where="the config"):
    """Raise ``ValueError`` naming every credential-like key in ``config``."""
    paths = credential_paths(config)
    if paths:
        raise ValueError(
            f"{where} holds credential-like key(s) {paths}: qskew never reads credentials "
            "from configs or options, because they would be written to the results folder. "
            "Remove them; for IBM hardware set QISKIT_IBM_TOKEN in the environment or save "
            "an account once with QiskitRuntimeService.save_account(...).")
