"""The page's files live at the top of the repository (templates/, static/) and ship inside the
wheel as webapp/templates and webapp/static, where the installed app looks for them first.
Everything else about the package is in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PAGE_FOLDERS = ("templates", "static")


class BuildWithPageFiles(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install serves the checkout's own folders
        for name in PAGE_FOLDERS:
            shutil.copytree(name, Path(self.build_lib, "webapp", name), dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithPageFiles})
