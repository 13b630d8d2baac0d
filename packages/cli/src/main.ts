console.log("rnn-scratch")
