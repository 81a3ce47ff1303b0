module example.com/app

go 1.19

require (
	example.com/heavydep v1.0.0
	example.com/lib v0.0.0
)

replace example.com/lib => ./lib // local copy
