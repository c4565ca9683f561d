"""gpucredit's function server (``gpucredit serve``): FastAPI on uvicorn.

``pyfuncs.server.app.create_app`` builds the app; the credit math never imports this package.
"""
