package main

import (
	"fmt"

	"example.com/heavydep"
	"example.com/lib"
)

func main() { fmt.Println(lib.Name(), heavydep.Total()) }
