"""The repository stands on its own: no tracked file cites a document kept outside it, and every
section of the contract that the code cites exists in docs/contract.md."""

import re
import subprocess
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Documents that lived outside the repository before docs/ was written.
OUTSIDE = ("BEHAVIOR.md", "ARCHITECTURE.md", "CRATES.md", "../shared/", "shared/spec", "shared/seeds")


def tracked_text_files():
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        path = ROOT / name
        if not path.is_file():
            continue
        try:
            yield name, path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue


class RepositoryStandsOnItsOwn(unittest.TestCase):
    def test_no_file_cites_a_document_outside_the_repository(self):
        this_file = Path(__file__).resolve().relative_to(ROOT).as_posix()
        offenders = [
            f"{name}: {needle}"
            for name, text in tracked_text_files()
            if name != this_file
            for needle in OUTSIDE
            if needle in text
        ]
        self.assertEqual(offenders, [])

    def test_every_cited_contract_section_exists(self):
        contract = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
        headings = set(re.findall(r"^#+ (§\d+(?:\.\d+)?)", contract, re.MULTILINE))
        cited = set()
        for _name, text in tracked_text_files():
            cited.update(re.findall(r"docs/contract\.md (§\d+(?:\.\d+)?)", text))
        self.assertTrue(cited, "the code cites the contract")
        self.assertEqual(sorted(cited - headings), [])


if __name__ == "__main__":
    unittest.main()
