# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write every ```yaml block of README.md to DIRECTORY as a playbook file, for ansible-lint.

The README's examples are what users copy first: `make lint` holds them to the same profile
as the collection's own playbooks.
"""

import os
import re
import sys


def main(readme, directory):
    with open(readme, encoding="utf-8") as stream:
        blocks = re.findall(r"^```yaml\n(.*?)^```$", stream.read(), flags=re.M | re.S)
    if not blocks:
        sys.exit("%s has no yaml example" % readme)
    os.makedirs(directory, exist_ok=True)
    for number, block in enumerate(blocks, start=1):
        with open(os.path.join(directory, "readme-example-%d.yml" % number), "w", encoding="utf-8") as stream:
            stream.write("---\n" + block)


if __name__ == "__main__":
    main(*sys.argv[1:])
