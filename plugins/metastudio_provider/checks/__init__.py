"""Every check of user input, made before anything is created in MetaStudio; one module per kind of input.

    problems.py      InvalidInputError, and Problems: run several checks, fail once naming them all
    names.py         resource names and titles
    scripts.py       the text an avatar speaks, and a whole CreateVideoScripts body
    uploads.py       a file uploaded as an asset's MAIN file
    paths.py         a local file path that must stay inside a folder
    assets.py        an asset id a DAG is given (exists, right type, usable)
    run_conf.py      a DAG run's conf (unknown keys, bad values)
    rooms.py         a livestream room definition
    shows.py         a room definition's ``show`` mapping
    manifests.py     a batch manifest's rows (explicit, unique ids)
"""
