require('fs').mkdirSync('dist', { recursive: true });
require('fs').copyFileSync('index.js', 'dist/index.js');
