"""Serves the built web app (web/dist) from the CRM so the browser talks to one origin."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

REPO_ROOT = Path(__file__).resolve().parents[3]


def mount_web_app(app: FastAPI, dist_dir: str | None) -> bool:
    dist = Path(dist_dir) if dist_dir else REPO_ROOT / "web" / "dist"
    index = dist / "index.html"
    if not index.is_file():
        return False
    if (dist / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=dist / "assets"), name="web-assets")

    @app.get("/{path:path}", include_in_schema=False)
    async def spa(path: str, request: Request) -> FileResponse:
        if path.startswith("api/"):
            raise HTTPException(status_code=404, detail=f"no route {request.url.path}")
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and dist.resolve() in candidate.parents:
            return FileResponse(candidate)
        return FileResponse(index)

    return True
