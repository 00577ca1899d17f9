console.log('prodigy');
