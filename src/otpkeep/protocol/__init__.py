"""The wire messages and stable error codes that the device and the service share."""
