"""The xlsx package: the zip container, the one reader of sheet XML, the surgical value writer."""
