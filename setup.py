"""Package layout: the repository keeps ``cli/`` and ``reference_models/`` at the top (as the
project asks), and they install as ``capeval.cli`` and ``capeval.reference_models`` so that
capeval adds a single top-level import name. Everything else is in pyproject.toml."""
from setuptools import find_packages, setup

MAPPED = {"capeval.cli": "cli", "capeval.reference_models": "reference_models"}

packages = find_packages(include=["capeval", "capeval.*"])
for package, folder in MAPPED.items():
    packages += [package, *(f"{package}.{sub}" for sub in find_packages(folder))]

setup(packages=packages, package_dir=MAPPED)
