module example.com/app

go 1.19

require example.com/heavydep v1.0.0
