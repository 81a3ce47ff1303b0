module.exports = (text) => `${text}:`;
