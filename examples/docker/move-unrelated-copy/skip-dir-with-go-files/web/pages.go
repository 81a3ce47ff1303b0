package web

const Index = "<h1>hi</h1>"
