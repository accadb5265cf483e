"""Reads the flat `key: value` lines of an hds resolved config (enough for the oracle; no PyYAML
needed). Flow maps such as `activation: {name: sigmoid}` give their `name`."""


def parse(text):
    out = {}
    for line in text.splitlines():
        if ":" not in line or line.startswith(" "):
            continue
        key, value = line.split(":", 1)
        value = value.strip()
        if value.startswith("{") and "name:" in value:
            value = value.split("name:", 1)[1].split(",")[0].strip(" }")
        out[key.strip()] = value
    return out
