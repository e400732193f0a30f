"""The service's own web pages: the landing page of an emailed link."""
