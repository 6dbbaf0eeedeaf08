"""marsad's web app: a JSON API and server-rendered pages over the store.

    from marsad.web.app import create_app
    app = create_app("marsad.db")          # an ASGI app; `marsad serve` runs it with uvicorn
"""
