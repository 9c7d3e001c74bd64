from setuptools import setup

setup(name="dynamic")
