"""How the OCI specs spell a model's attribute names in JSON (camelCase, a few irregular)."""

_IRREGULAR = {"container_id": "containerID", "host_id": "hostID"}
"""Attribute names whose spec key plain camel-casing cannot produce."""


def json_key(attr_name: str) -> str:
    """The JSON key for an attribute: ``oci_version`` -> ``ociVersion``,
    ``vnet_interfaces`` -> ``vnetInterfaces``, ``ip4_addr`` -> ``ip4Addr``. A leading
    underscore (attrs' private attributes) is dropped, as attrs does for the alias."""
    name = attr_name.lstrip("_")
    if name in _IRREGULAR:
        return _IRREGULAR[name]
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
