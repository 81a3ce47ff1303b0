package main

import (
	"embed"
	"fmt"

	"example.com/heavydep"
)

//go:embed templates/*.html
var templates embed.FS

func main() { fmt.Println("total", heavydep.Total(), templates != embed.FS{}) }
