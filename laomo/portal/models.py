# The portal keeps no data of its own: requests are volunteering.ServiceRequest.
