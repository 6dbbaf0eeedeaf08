"""Offline gazetteer and geocoder: index, importers, name folding, candidate choice."""

from marsad.geo.index import Candidate, Gazetteer, build_bundled, distance_km
from marsad.geo.resolve import resolve

__all__ = ["Candidate", "Gazetteer", "build_bundled", "distance_km", "resolve"]
