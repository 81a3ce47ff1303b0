module example.com/svc

go 1.19

require example.com/heavydep v1.0.0
