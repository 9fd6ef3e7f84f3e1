"""What the API accepts and answers, one module per resource.

Each module holds the resource's ``...Create`` (a request body), ``...Public``
(what a route answers) and list models. Every route declares its answer with
one of these, so ``/openapi.json`` describes every 2xx body, and the service
checks what it sends against it. Answers never carry more than they declare
(``extra="forbid"``): a field the code adds without declaring it fails loudly
in the tests instead of reaching clients undescribed.
"""
