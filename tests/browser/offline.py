"""Serve, from ``tests/browser/node_modules``, the CDN assets that folium and streamlit-folium load.

folium 0.20.0 and streamlit-folium 0.27.4 put ``<script>`` and ``<link>`` tags
for Leaflet and its plugins, pointing at public CDNs, into the map's iframe.
The test machines reach no CDN, so :class:`OfflineRouter` answers those
requests from the npm packages pinned in ``tests/browser/package.json``
(installed with ``npm ci --prefix tests/browser``), answers map-tile requests
with a 1x1 transparent PNG, lets the local Streamlit server through, and aborts
everything else while recording it, so that a test can assert that nothing a
map needs went missing.

Used by ``tests/browser/conftest.py`` and ``benchmarks/bench_first_map.py``.
Importing it needs neither Playwright nor a browser.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
PACKAGE_JSON = HERE / "package.json"

# 1x1 RGBA PNG, pixel (0, 0, 0, 0): the answer to every map-tile request.
TRANSPARENT_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR4nGNgAAIAAAUAAXpeqz8AAAAASUVORK5CYII="
)

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]", "0.0.0.0"})

# Hosts that only ever serve map tiles (slippy-map images).
TILE_HOSTS = frozenset(
    {
        "tile.openstreetmap.org",
        "basemaps.cartocdn.com",
        "server.arcgisonline.com",
        "services.arcgisonline.com",
        "tiles.stadiamaps.com",
        "tile.opentopomap.org",
        "tile.thunderforest.com",
    }
)

# Hosts whose requests count as "a CDN asset" for assertions on aborted URLs.
CDN_HOSTS = frozenset(
    {
        "cdn.jsdelivr.net",
        "cdnjs.cloudflare.com",
        "code.jquery.com",
        "d3js.org",
        "netdna.bootstrapcdn.com",
        "maxcdn.bootstrapcdn.com",
        "stackpath.bootstrapcdn.com",
        "raw.githubusercontent.com",
        "unpkg.com",
    }
)

# URLs that folium references but that exist in no npm package: answered with
# an empty body of the right type, and logged, so the page still loads.
NO_NPM_EQUIVALENT: dict[str, str] = {
    # folium's own stylesheet, fetched from its GitHub repo and not shipped in
    # the wheel either; it only rotates awesome-marker icons (Icon(angle=...)).
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css": (
        "folium's leaflet.awesome.rotate.min.css lives only in folium's GitHub repo"
    ),
    # The glyphicons stylesheet of Bootstrap 3.0.0's release candidates, kept
    # by the CDN but never published on npm (bootstrap@3.0.0 has no such file).
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": (
        "Bootstrap 3.0.0-RC glyphicons stylesheet was never published on npm"
    ),
}

# cdnjs library name (lower case) -> npm package name, where they differ.
CDNJS_TO_NPM: dict[str, str] = {
    "leaflet.awesome-markers": "drmonty-leaflet-awesome-markers",
}

# cdnjs flattens a package; these are the folders where npm packages keep the
# same files.
_CDNJS_PREFIXES = ("", "dist/", "build/", "css/", "js/")

CONTENT_TYPES: dict[str, str] = {
    ".js": "application/javascript; charset=utf-8",
    ".mjs": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".png": "image/png",
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
}


def content_type(path: str) -> str:
    """Return the Content-Type for a file name or URL path, by its extension."""
    suffix = Path(urlsplit(path).path).suffix.lower()
    return CONTENT_TYPES.get(suffix, "application/octet-stream")


def is_tile_url(url: str) -> bool:
    """Tell whether ``url`` asks a known map-tile server for a tile."""
    host = (urlsplit(url).hostname or "").lower()
    return (
        host in TILE_HOSTS
        or any(host.endswith("." + h) for h in TILE_HOSTS)
        or ".tile." in f".{host}"
        or host.startswith("tiles.")
    )


def is_cdn_asset(url: str) -> bool:
    """Tell whether ``url`` is a script, stylesheet, font or image from a public CDN."""
    host = (urlsplit(url).hostname or "").lower()
    has_asset_suffix = Path(urlsplit(url).path).suffix.lower() in CONTENT_TYPES
    return host in CDN_HOSTS or (has_asset_suffix and not is_tile_url(url))


def _version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else -1 for p in re.split(r"[.+-]", version))


class PackageIndex:
    """The npm packages installed in a ``node_modules`` folder, by (name, version).

    Reads each package's own ``package.json``, so an npm alias such as
    ``"d3-v3": "npm:d3@3.5.5"`` is found as ``d3`` 3.5.5.
    """

    def __init__(self, node_modules: Path = NODE_MODULES) -> None:
        self.node_modules = node_modules
        self.packages: dict[tuple[str, str], Path] = {}
        if not node_modules.is_dir():
            return
        for child in sorted(node_modules.iterdir()):
            dirs = sorted(child.iterdir()) if child.name.startswith("@") and child.is_dir() else [child]
            for d in dirs:
                manifest = d / "package.json"
                if manifest.is_file():
                    meta = json.loads(manifest.read_text(encoding="utf-8"))
                    self.packages[(meta["name"], meta["version"])] = d

    def find(self, name: str, version: str | None) -> Path | None:
        """Return the folder of package ``name`` at ``version``.

        ``version`` may be exact (``1.9.3``), a leading part of one (``2`` or
        ``4.13``, as jsdelivr accepts) or ``None`` for any version installed;
        the highest matching version wins.
        """
        candidates = [
            (v, d)
            for (n, v), d in self.packages.items()
            if n == name and (version is None or v == version or v.startswith(version + "."))
        ]
        if not candidates:
            return None
        return max(candidates, key=lambda c: _version_key(c[0]))[1]

    def missing(self, wanted: dict[str, str]) -> list[str]:
        """List the ``name@version`` specs of ``wanted`` (package.json devDependencies) not installed."""
        out = []
        for alias, spec in wanted.items():
            if spec.startswith("npm:"):  # an alias such as "d3-v3": "npm:d3@3.5.5"
                name, _, version = spec[len("npm:") :].rpartition("@")
            else:
                name, version = alias, spec
            if (name, version) not in self.packages:
                out.append(f"{name}@{version}")
        return out


def _file_in(package: Path, rel: str, prefixes: tuple[str, ...] = ("",)) -> Path | None:
    """Find ``rel`` inside ``package``, trying each folder prefix.

    Like jsdelivr, a missing ``x.min.js`` / ``x.min.css`` falls back to
    ``x.js`` / ``x.css`` (jsdelivr minifies those on the fly).
    """
    rel = unquote(rel).lstrip("/")
    names = [rel]
    m = re.fullmatch(r"(.*)\.min\.(js|css)", rel)
    if m:
        names.append(f"{m.group(1)}.{m.group(2)}")
    root = package.resolve()
    for prefix in prefixes:
        for name in names:
            p = (package / prefix / name).resolve()
            # Never serve anything outside the package folder ("../" in URLs).
            if p.is_file() and root in p.parents:
                return p
    return None


def folium_templates_dir() -> Path | None:
    """Return the ``templates`` folder of the installed folium package, if any."""
    try:
        import folium
    except ImportError:  # pragma: no cover - folium is a project requirement
        return None
    return Path(folium.__file__).resolve().parent / "templates"


@dataclass
class Resolution:
    """What to answer for one URL: a local file, an empty stub, a 404, or nothing (abort).

    ``package`` set with ``path`` unset means the package is installed but has
    no such file: the CDN answers 404 there too, so the router does the same.
    """

    path: Path | None = None
    stub_reason: str | None = None
    package: Path | None = None


def resolve(url: str, index: PackageIndex) -> Resolution:
    """Map a CDN URL to a file in ``node_modules`` (or in folium's wheel).

    Returns an empty :class:`Resolution` when the URL is not known or the
    package is not installed: the caller then aborts the request.
    """
    base = url.split("#", 1)[0].split("?", 1)[0]
    if base in NO_NPM_EQUIVALENT:
        return Resolution(stub_reason=NO_NPM_EQUIVALENT[base])
    parts = urlsplit(base)
    host = (parts.hostname or "").lower()
    path = parts.path

    def npm(name: str, version: str | None, rel: str, prefixes=("",)) -> Resolution:
        pkg = index.find(name, version)
        found = _file_in(pkg, rel, prefixes) if pkg else None
        return Resolution(path=found, package=pkg)

    # cdn.jsdelivr.net/npm/PKG@VER/PATH and unpkg.com/PKG@VER/PATH
    m = re.fullmatch(r"/(?:npm/)?((?:@[^/@]+/)?[^/@]+)(?:@([^/]+))?/(.+)", path)
    if m and (host == "unpkg.com" or (host == "cdn.jsdelivr.net" and path.startswith("/npm/"))):
        return npm(m.group(1), m.group(2), m.group(3))

    # cdn.jsdelivr.net/gh/python-visualization/folium[@REF]/folium/templates/FILE
    # raw.githubusercontent.com/python-visualization/folium/REF/folium/templates/FILE
    m = re.fullmatch(r"/gh/python-visualization/folium(?:@[^/]+)?/folium/templates/(.+)", path) or re.fullmatch(
        r"/python-visualization/folium/[^/]+/folium/templates/(.+)", path
    )
    if m and host in {"cdn.jsdelivr.net", "raw.githubusercontent.com"}:
        templates = folium_templates_dir()
        return Resolution(path=_file_in(templates, m.group(1)) if templates else None, package=templates)

    # cdnjs.cloudflare.com/ajax/libs/LIB/VER/PATH (flat layout)
    m = re.fullmatch(r"/ajax/libs/([^/]+)/([^/]+)/(.+)", path)
    if m and host == "cdnjs.cloudflare.com":
        name = CDNJS_TO_NPM.get(m.group(1).lower(), m.group(1).lower())
        return npm(name, m.group(2), m.group(3), _CDNJS_PREFIXES)

    # code.jquery.com/jquery-3.7.1.min.js
    m = re.fullmatch(r"/jquery-(\d+\.\d+\.\d+)((?:\.slim)?(?:\.min)?)\.js", path)
    if m and host == "code.jquery.com":
        return npm("jquery", m.group(1), f"dist/jquery{m.group(2)}.js")

    # d3js.org/d3.v4.min.js: the latest release of that major version
    m = re.fullmatch(r"/d3\.v(\d+)((?:\.min)?)\.js", path)
    if m and host == "d3js.org":
        pkg = index.find("d3", m.group(1))
        found = pkg and (_file_in(pkg, f"build/d3{m.group(2)}.js") or _file_in(pkg, f"dist/d3{m.group(2)}.js"))
        return Resolution(path=found or None, package=pkg)

    # netdna/maxcdn/stackpath.bootstrapcdn.com/bootstrap/VER/PATH
    m = re.fullmatch(r"/bootstrap/([^/]+)/(.+)", path)
    if m and host.endswith("bootstrapcdn.com"):
        return npm("bootstrap", m.group(1), m.group(2), ("dist/", ""))

    return Resolution()


@dataclass
class OfflineRouter:
    """A Playwright route handler that keeps a browser context off the network.

    Install it with :meth:`install` on a ``BrowserContext``. Afterwards
    ``served``, ``stubbed``, ``tiles``, ``not_found`` and ``aborted`` list the
    URLs answered from ``node_modules``, with an empty stub, with a transparent
    tile, with a 404 (the package is installed but has no such file, so the
    CDN would answer 404 as well) or refused; ``aborted_cdn_assets`` is the
    subset of ``aborted`` that a map needed and that ``package.json`` should
    provide.

    A known 404: Leaflet 1.9.3 guesses its default marker-icon folder from the
    ``leaflet.css`` link when that stylesheet has not been applied yet (as
    happens when streamlit-folium injects it) and drops a slash, asking for
    ``.../leaflet@1.9.3/distmarker-icon.png``.
    """

    index: PackageIndex = field(default_factory=PackageIndex)
    served: list[str] = field(default_factory=list)
    stubbed: list[str] = field(default_factory=list)
    tiles: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)

    @property
    def aborted_cdn_assets(self) -> list[str]:
        """Aborted URLs that a map page needed from a CDN."""
        return [u for u in self.aborted if is_cdn_asset(u)]

    def install(self, context) -> OfflineRouter:
        """Route every request of ``context`` (a Playwright ``BrowserContext``) through this router."""
        context.route("**/*", self.handle)
        return self

    def handle(self, route, request) -> None:
        """Answer one intercepted request (Playwright sync route handler)."""
        url = request.url
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or (parts.hostname or "").lower() in LOCAL_HOSTS:
            route.continue_()
            return
        # Fonts and XHRs from a cross-origin page need CORS, as the CDNs send it.
        cors = {"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=3600"}
        if is_tile_url(url):
            self.tiles.append(url)
            route.fulfill(status=200, headers=cors, content_type="image/png", body=TRANSPARENT_PNG)
            return
        found = resolve(url, self.index)
        if found.path is not None:
            self.served.append(url)
            route.fulfill(
                status=200, headers=cors, content_type=content_type(found.path.name), body=found.path.read_bytes()
            )
        elif found.stub_reason is not None:
            if url not in self.stubbed:
                log.warning("offline: empty %s for %s (%s)", content_type(url), url, found.stub_reason)
            self.stubbed.append(url)
            route.fulfill(status=200, headers=cors, content_type=content_type(url), body=b"")
        elif found.package is not None:
            log.info("offline: 404 for %s (no such file in %s)", url, found.package)
            self.not_found.append(url)
            route.fulfill(status=404, headers=cors, content_type="text/plain; charset=utf-8", body=b"Not found")
        else:
            log.warning("offline: aborted %s", url)
            self.aborted.append(url)
            route.abort("blockedbyclient")
