"""Config sections that name components: resamplers, models and stack members."""

from datetime import date, time

from qskew._compat import check_parameters
from qskew.experiment import _registry as reg
from qskew.experiment._check import check_backend, suggest

#: Keys of a resolved component that are runner options, not estimator parameters.
RUNNER_KEYS = ("type", "raw_features", "members")


def resolve_components(check, section_name, section, table, runner_keys, backend):
    """Resolve ``[resamplers]`` or ``[models]``: ``{name: {"type": ..., **options, **params}}``.

    The table's own name is the type unless ``type`` is given; the other keys
    must be runner options or parameters of the estimator, whose own
    constraints then check their values. Quantum components get ``backend``.
    """
    if isinstance(section, list) and all(isinstance(s, str) for s in section):
        section = {s: {} for s in section}
    section = check.table(section_name, section)
    if not section and isinstance(section, dict):
        check.add(section_name, f"name at least one, e.g. [{section_name}.{next(iter(table))}]")
    resolved = {}
    for label, entry in section.items():
        where = f"{section_name}.{label}"
        entry = dict(check.table(where, entry))
        type_name = entry.pop("type", label)
        if check.label(where, label) is None:
            continue
        if not isinstance(type_name, str) or type_name not in table:
            what = "resampler" if section_name == "resamplers" else "model"
            check.add(where, f"{type_name!r} is not a registered {what}; "
                             f"{suggest(type_name, table)} (or set type = ...)")
            continue
        component = table[type_name]
        options = {**runner_keys, **component.options}
        check.keys(where, entry, [*component.parameters(), *options], component.managed)
        item = {"type": type_name}
        item.update(_options(check, where, entry, component, section_name))
        params = {k: v for k, v in entry.items() if k in component.parameters()}
        if "backend" in params:
            check_backend(check, f"{where}.backend", params["backend"])
        elif component.quantum:
            params["backend"] = backend
        item.update(_params(check, where, component, params))
        resolved[label] = item
    return resolved


def _options(check, where, entry, component, section_name):
    out = {}
    if section_name == "models":
        out["raw_features"] = check.boolean(f"{where}.raw_features",
                                            entry.get("raw_features", False))
    if "calibration" in component.options:
        out["calibration"] = check.choice(f"{where}.calibration",
                                          entry.get("calibration", "none"), reg.CALIBRATIONS)
    if "members" in component.options:
        members = entry.get("members")
        if not (isinstance(members, list) and members
                and all(isinstance(m, str) for m in members)):
            check.add(f"{where}.members", f"must be a non-empty array of model names; got "
                                          f"{members!r}")
            members = []
        out["members"] = members
    return out


def _params(check, where, component, params):
    bad_dates = [k for k, v in params.items() if _has_date(v)]
    for key in bad_dates:
        check.add(f"{where}.{key}", "dates and times are not estimator parameters")
    params = {k: v for k, v in params.items() if k not in bad_dates}
    if isinstance(params.get("class_weight"), dict):
        # TOML keys are strings; the runner's labels are 0 (majority) and 1 (minority).
        params["class_weight"] = {int(k) if str(k).lstrip("-").isdigit() else k: v
                                  for k, v in params["class_weight"].items()}
    if component.factory is None:
        return params
    try:
        check_parameters(component.factory(**params))
    except (TypeError, ValueError) as exc:
        check.add(where, " ".join(str(exc).split()))
    except AttributeError:  # pragma: no cover - an estimator without parameter constraints
        pass
    return params


def _has_date(value):
    if isinstance(value, (date, time)):
        return True
    if isinstance(value, dict):
        return any(_has_date(v) for v in value.values())
    return isinstance(value, list) and any(_has_date(v) for v in value)


def check_members(check, models):
    for label, item in models.items():
        members = item.get("members")
        if not members:
            continue
        where = f"models.{label}.members"
        for name in members:
            if name == label:
                check.add(where, f"a stack cannot contain itself ({name!r})")
            elif name not in models:
                check.add(where, f"{name!r} is not a model of this config; "
                                 f"{suggest(name, [m for m in models if m != label])}")
            elif models[name]["type"] == "stack":
                check.add(where, f"{name!r} is a stack; stacks do not nest")
            elif models[name].get("raw_features"):
                check.add(where, f"{name!r} has raw_features = true, but every member sees "
                                 "the stack's own input; drop one of the two")
        if len(set(members)) < len(members):
            check.add(where, f"must not repeat a member; got {members!r}")
        else:
            _check_fusion(check, f"models.{label}", item, models)


def _check_fusion(check, where, item, models):
    """The stack's own check that each member has the output its fusion needs."""
    if not all(name in models and models[name]["type"] != "stack" for name in item["members"]):
        return
    members = [(name, reg.build(reg.MODELS[models[name]["type"]],
                                estimator_params(models[name]), 0))
               for name in item["members"]]
    stack = reg.build(reg.MODELS["stack"], estimator_params(item), 0, members=members)
    try:
        stack._members()
    except ValueError as exc:
        check.add(where, " ".join(str(exc).split()))


def estimator_params(item):
    """The estimator parameters of a resolved component (runner keys removed)."""
    return {k: v for k, v in item.items() if k not in RUNNER_KEYS}
