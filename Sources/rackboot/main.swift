print("rackboot")
