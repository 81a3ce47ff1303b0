const heavydep = require('@example/heavydep');
const greeting = require('@sample/greeting');

console.log(greeting('heavydep digest'), heavydep());
