// The page's behaviour: a greeting with the time of day, and a click counter.
const hour = new Date().getHours()
const part = hour < 12 ? 'morning' : hour < 18 ? 'afternoon' : 'evening'
document.querySelector('#greeting').textContent = `Good ${part}! This text comes from src/main.js.`

const counter = document.querySelector('#counter')
let clicks = 0
counter.addEventListener('click', () => {
  clicks += 1
  counter.textContent = `Clicked ${clicks} ${clicks === 1 ? 'time' : 'times'}`
})
