# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render the collection's module, filter and role documentation as Markdown pages.

Usage: python .ci/render_reference.py DEST_DIR

The source is what users see: ``ansible-doc --json`` for every module, filter and role of
hostnet.networkd found on ANSIBLE_COLLECTIONS_PATH. Ansible markup (C(), O(), V(),
RV(), M(), ...) is converted with antsibull-docs-parser, the parser antsibull-docs
uses, so the pages read like docs.ansible.com's but render on any Markdown viewer.
The output depends only on the documentation, so a stale page shows up as a diff.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from antsibull_docs_parser import dom
from antsibull_docs_parser.format import LinkProvider
from antsibull_docs_parser.md import to_md
from antsibull_docs_parser.parser import Context, parse

COLLECTION = "hostnet.networkd"
PLUGIN_TYPES = ("module", "filter", "role")


def page_name(name, plugin_type):
    """File name of the page of one module, filter or role."""
    return "%s_%s.md" % (name, plugin_type)


def anchor(what, path):
    """Anchor of an option or return value, e.g. parameter-links/name."""
    return "%s-%s" % ("parameter" if what == "option" else "return", "/".join(path))


class ReferenceLinks(LinkProvider):
    """Links between the generated pages; anything outside the collection stays plain text."""

    def plugin_link(self, plugin):
        if plugin.fqcn.startswith(COLLECTION + ".") and plugin.type in PLUGIN_TYPES:
            return page_name(plugin.fqcn.rsplit(".", 1)[1], plugin.type)
        return None

    def plugin_option_like_link(self, plugin, entrypoint, what, name, current_plugin):
        page = "" if current_plugin else self.plugin_link(plugin)
        if page is None:
            return None
        return "%s#%s" % (page, anchor(what, name))


LINKS = ReferenceLinks()


def markdown(text, fqcn, plugin_type, entrypoint=None):
    """Ansible markup (a string or a list of paragraphs) as Markdown."""
    plugin = dom.PluginIdentifier(fqcn=fqcn, type=plugin_type)
    paragraphs = parse(text, Context(current_plugin=plugin, role_entrypoint=entrypoint), errors="exception")
    return to_md(paragraphs, link_provider=LINKS, current_plugin=plugin)


def cell(text):
    """Markdown made safe for one table cell."""
    return text.replace("|", "\\|").replace("\n\n", "<br><br>").replace("\n", " ")


def ansible_doc(*args):
    result = subprocess.run(["ansible-doc", "--json"] + list(args), check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def value(data):
    """A default, choice or sample as inline code."""
    return "`%s`" % json.dumps(data) if not isinstance(data, str) else "`%s`" % data.replace("`", "'")


def flatten(entries, key, path=()):
    """Options or return values with their sub-entries, depth first, in name order."""
    for name in sorted(entries):
        entry = entries[name]
        yield path + (name,), entry
        children = entry.get(key) or {}
        if children:
            yield from flatten(children, key, path + (name + ("[]" if entry.get("type") == "list" else ""),))


def type_of(entry):
    kind = entry.get("type", "str")
    if kind == "list" and entry.get("elements"):
        kind = "list of %s" % entry["elements"]
    return kind


def option_rows(options, fqcn, plugin_type, entrypoint=None):
    lines = ["| option | type | comments |", "|---|---|---|"]
    for path, entry in flatten(options, "options" if plugin_type == "role" else "suboptions"):
        notes = [markdown(entry.get("description", ""), fqcn, plugin_type, entrypoint)]
        if entry.get("choices"):
            notes.append("Choices: %s." % ", ".join(value(choice) for choice in entry["choices"]))
        if "default" in entry and entry["default"] is not None:
            notes.append("Default: %s." % value(entry["default"]))
        name = "`%s`" % ".".join(path).replace(".", ".<wbr>") if len(path) > 1 else "**`%s`**" % path[0]
        required = " (required)" if entry.get("required") else ""
        lines.append('| <a id="%s"></a>%s%s | %s | %s |' % (
            anchor("option", path), name, required, type_of(entry), cell("\n\n".join(notes))))
    return lines


def return_rows(returns, fqcn, plugin_type):
    lines = ["| key | type | returned | description |", "|---|---|---|---|"]
    for path, entry in flatten(returns, "contains"):
        notes = [markdown(entry.get("description", ""), fqcn, plugin_type)]
        if entry.get("sample") is not None:
            notes.append("Sample: %s" % value(entry["sample"]))
        lines.append('| <a id="%s"></a>`%s` | %s | %s | %s |' % (
            anchor("retval", path), ".".join(path), type_of(entry), cell(entry.get("returned", "")), cell("\n\n".join(notes))))
    return lines


def bullets(text, fqcn, plugin_type, entrypoint=None):
    paragraphs = text if isinstance(text, list) else [text]
    return ["- %s" % markdown(paragraph, fqcn, plugin_type, entrypoint).replace("\n", " ") for paragraph in paragraphs]


def plugin_page(fqcn, data, plugin_type):
    """The page of a module or a filter."""
    doc = data["doc"]
    lines = ["# %s %s" % (fqcn, plugin_type), "", markdown(doc["short_description"], fqcn, plugin_type), ""]
    command = "ansible-doc %s" % fqcn if plugin_type == "module" else "ansible-doc -t %s %s" % (plugin_type, fqcn)
    lines += ["Added in version %s of %s. `%s` shows the same text." % (doc.get("version_added"), COLLECTION, command), ""]
    lines += ["## Synopsis", ""] + bullets(doc["description"], fqcn, plugin_type) + [""]
    if doc.get("requirements"):
        lines += ["## Requirements", ""] + ["- %s" % item for item in doc["requirements"]] + [""]
    lines += ["## Parameters", ""] + option_rows(doc.get("options") or {}, fqcn, plugin_type) + [""]
    if doc.get("attributes"):
        lines += ["## Attributes", "", "| attribute | support | description |", "|---|---|---|"]
        for name in sorted(doc["attributes"]):
            attribute = doc["attributes"][name]
            support = attribute.get("support", "")
            if attribute.get("platforms"):
                support += " (%s)" % attribute["platforms"]
            lines.append("| %s | %s | %s |" % (name, support, cell(markdown(attribute.get("description", ""), fqcn, "module"))))
        lines.append("")
    if doc.get("notes"):
        lines += ["## Notes", ""] + bullets(doc["notes"], fqcn, plugin_type) + [""]
    if doc.get("seealso"):
        lines += ["## See also", ""]
        for entry in doc["seealso"]:
            if "link" in entry:
                lines.append("- [%s](%s): %s" % (entry["name"], entry["link"], markdown(entry.get("description", ""), fqcn, plugin_type)))
            elif "module" in entry:
                lines.append("- %s" % markdown("M(%s)" % entry["module"], fqcn, plugin_type))
            elif "plugin" in entry:
                lines.append("- %s" % markdown("P(%s#%s)" % (entry["plugin"], entry["plugin_type"]), fqcn, plugin_type))
        lines.append("")
    if data.get("examples"):
        lines += ["## Examples", "", "```yaml", data["examples"].strip("\n"), "```", ""]
    if data.get("return"):
        lines += ["## Return values", ""] + return_rows(data["return"], fqcn, plugin_type) + [""]
    authors = doc.get("author") or []
    lines += ["## Authors", ""] + ["- %s" % author for author in (authors if isinstance(authors, list) else [authors])]
    return lines


def role_page(fqcn, data):
    lines = ["# %s role" % fqcn, ""]
    for name in sorted(data["entry_points"]):
        entry = data["entry_points"][name]
        lines += ["## Entry point `%s`: %s" % (name, markdown(entry.get("short_description", ""), fqcn, "role", name)), ""]
        lines += ["`ansible-doc -t role %s` shows the same text." % fqcn, ""]
        lines += bullets(entry.get("description") or [], fqcn, "role", name) + [""]
        lines += ["### Variables", ""] + option_rows(entry.get("options") or {}, fqcn, "role", name) + [""]
        authors = entry.get("author") or []
        lines += ["### Authors", ""] + ["- %s" % author for author in (authors if isinstance(authors, list) else [authors])] + [""]
    return lines[:-1]


def main(dest):
    index = ["# Reference", "",
             "Generated from the documentation in the code (`make docs`); do not edit by hand.", ""]
    pages = {}
    for plugin_type in PLUGIN_TYPES:
        listing = ansible_doc("-t", plugin_type, "-l", COLLECTION)
        if not listing:
            continue
        index += ["## %ss" % plugin_type.capitalize(), "", "| name | description |", "|---|---|"]
        for fqcn in sorted(listing):
            data = ansible_doc("-t", plugin_type, fqcn)[fqcn]
            name = fqcn.rsplit(".", 1)[1]
            if plugin_type == "role":
                pages[page_name(name, plugin_type)] = role_page(fqcn, data)
                summary = data["entry_points"]["main"].get("short_description", "")
            else:
                pages[page_name(name, plugin_type)] = plugin_page(fqcn, data, plugin_type)
                summary = data["doc"]["short_description"]
            index.append("| [%s](%s) | %s |" % (fqcn, page_name(name, plugin_type), cell(markdown(summary, fqcn, plugin_type))))
        index.append("")
    pages["README.md"] = index[:-1]
    os.makedirs(dest, exist_ok=True)
    for name, lines in pages.items():
        with open(os.path.join(dest, name), "w", encoding="utf-8") as stream:
            stream.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
