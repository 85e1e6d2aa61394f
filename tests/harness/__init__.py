"""Set-up that several test modules share: the API's routes, the world a request runs in, the contract's role
matrix, requests and problems, the database's state. Test modules import from here, never from each other."""
